import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StateConfig } from '../model/config.js';
import { emptyState, type StateData } from '../model/state.js';
import { assignLeases, COORDINATOR, type HostRecord, type LeaseRecord } from '../model/partition.js';
import { leaseNow } from '../util/clock.js';
import { errorMessage, ExitCode, UserError } from '../util/errors.js';
import { packageRoot } from '../util/packageRoot.js';
import { assemble, lastRunOf, latestLastRun } from './cluster/assemble.js';
import { ClusterUnreachable, StateClient, type ClusterConnection } from './cluster/client.js';
import { liveHosts, notLiveReason, writeHeartbeat } from './cluster/hosts.js';
import { layoutLease, migrationLease } from './cluster/layoutMove.js';
import { LEASE_ID, MOVED_PREFIX, movedError, PARTITIONED_PREFIX, writeLease, type LeaseDoc } from './cluster/lease.js';
import { instanceId, localSlicesOf, readLocal, withLocalSlices, writeLocal } from './cluster/localFile.js';
import { leaseRecords, startRenewal, takeLeases } from './cluster/partitionLeases.js';
import { EVERYTHING, heldQuery, refreshState, searchState, SHARED, type ReadHit } from './cluster/readDocs.js';
import { ClusterTransaction, type TransactionParts } from './cluster/transaction.js';
import { acquireLock } from './fileLock.js';
import { DeliveryJournal } from './journal.js';
import { keepSetAside, setAsideFile, setAsideWarning, type SetAside } from './setAside.js';
import { settleState } from './settle.js';
import { auditRecovered } from './recoveredAudit.js';
import { isCommandPurpose, StoreUnavailableError, type RunPurpose, type StateStore, type StateTransaction } from './store.js';

/**
 * The state in an index of the cluster the alerts search, shared by every host that runs them and split between
 * them by partition (model/partition.ts): a run takes the leases of its share (each with a fencing token), reads
 * and writes only their documents (alerts, pending items, receipts; their windows in the partition's own
 * document, the fenced write), claims each notification with a create-only document before sending it, and keeps
 * this host's local slices (LOCAL_SLICES) and a delivery journal in `state.local_file`.
 */
export class ClusterStateStore implements StateStore {
  constructor(
    private readonly config: StateConfig,
    private readonly connection: ClusterConnection,
    private readonly options: { takeOverMoved?: boolean; deadlineAt?: number } = {},
  ) {}

  /**
   * Takes this host's lock, moves today's layout to the partitioned one once (under `lease:run`), and then: a run
   * writes its heartbeat, takes the leases of its share and reads their documents; a command reads everything and
   * takes nothing; `state migrate` (takeOverMoved) takes `lease:run` and with it everything. When the cluster cannot
   * be reached the transaction is `unavailable`: it holds only the local slices and the notices queued locally.
   */
  async begin(purpose: RunPurpose = 'run'): Promise<StateTransaction> {
    const { config } = this;
    let compromised: Error | undefined;
    mkdirSync(dirname(config.local_file), { recursive: true });
    const releaseLocal = await acquireLock(config.local_file, config.lock_wait, (error) => (compromised = error));
    const { deadlineAt } = this.options;
    // A run's requests get what is left of its deadline (at least 2 s each): a slow cluster cannot hold it long past it.
    const client = new StateClient(this.connection, deadlineAt);
    const journal = new DeliveryJournal(`${config.local_file}.journal`);
    const closeAll = async () => {
      client.close();
      if (!compromised) await releaseLocal().catch(() => undefined);
    };
    try {
      // host@instance/pid/run: what a later run of this very deployment may take over at once (it holds the local lock).
      const deployment = `${config.host_id}@${instanceId(config.local_file)}`;
      const holder = `${deployment}/${process.pid}/${randomUUID().slice(0, 8)}`;
      // A run waits for `lease:run` (an older version's run, a migration) at most half the time it has left.
      const waitMs = deadlineAt === undefined ? config.lock_wait : Math.max(0, Math.min(config.lock_wait, (deadlineAt - Date.now()) / 2));
      const claimTtlMs = (deadlineAt === undefined ? config.lease_ttl : Math.max(0, deadlineAt - Date.now())) + config.max_clock_skew;
      const common = { config, client, journal, compromised: () => compromised, closeAll, claimTtlMs };
      if (this.options.takeOverMoved) {
        const runLease = await migrationLease(client, config, holder, waitMs);
        const read = this.assembled(await this.search(client, EVERYTHING), () => true, journal);
        read.data.lastRun ??= latestLastRun(read.hosts);
        return this.transaction({ ...common, ...read, holding: { mode: 'whole', runLease, parts: read.parts, leaveMarker: true, host: hostRecord(read.hosts, config.host_id, deployment) } });
      }
      // lease:run comes with the first read: the partitioned layout's marker, a move to a file, or the move to make.
      const query = isCommandPurpose(purpose) ? EVERYTHING : SHARED;
      let hits = await this.search(client, query);
      const runLease = hits.get(LEASE_ID)?.doc as unknown as LeaseDoc | undefined;
      if (typeof runLease?.holder === 'string' && runLease.holder.startsWith(MOVED_PREFIX)) throw movedError(config.index, runLease.holder);
      if (!(typeof runLease?.holder === 'string' && runLease.holder.startsWith(PARTITIONED_PREFIX))) {
        const legacy = await layoutLease(client, config, holder, waitMs);
        if (legacy) {
          // Today's layout (or a new state): moved once, under lease:run, which is then left with the marker.
          const read = this.assembled(await this.search(client, EVERYTHING), () => true, journal);
          const move = this.transaction({ ...common, ...read, holding: { mode: 'whole', runLease: legacy, parts: read.parts, leaveMarker: true, host: hostRecord(read.hosts, config.host_id, deployment) } });
          await move.commit();
          await move.unlease();
        }
        hits = await this.search(client, query);
      }
      if (isCommandPurpose(purpose)) {
        const read = this.assembled(hits, () => true, journal);
        // Queued operations are this store's way to change alerts it does not hold (operations/queuedOps.ts).
        read.data.ops ??= [];
        read.data.lastRun ??= latestLastRun(read.hosts);
        return this.transaction({ ...common, ...read, holding: { mode: 'shell', ownership: { host: config.host_id, partitions: new Set(), coordinator: false, took: [] } } });
      }
      return await this.beginRun(common, deployment, holder, hits, purpose === 'partial');
    } catch (error) {
      if (!(error instanceof ClusterUnreachable)) {
        await closeAll();
        throw error;
      }
      return unavailableTransaction(config, readLocal(config.local_file), journal, error.message, () => compromised, closeAll, client);
    }
  }

  /**
   * Steps 2 to 5 of a run (docs/hosts.md): heartbeat, assignment, leases, the scoped read, the renewal
   * timer. A partial run writes no heartbeat and takes no lease over: only those its host, live by its cron runs'
   * heartbeat, owns (none when it is not a live host).
   */
  private async beginRun(common: Omit<TransactionParts, 'data' | 'holding' | 'snapshot' | 'localOnDisk'>, deployment: string, holder: string, shared: Map<string, ReadHit>, partial = false): Promise<StateTransaction> {
    const { config, client, journal } = common;
    const { parts, hosts } = assemble(shared, { slices: {}, pending: [] }, () => false);
    const me = config.host_id;
    const host = hostRecord(hosts, me, deployment);
    const now = host.lastSeen;
    const old = hosts.find((h) => h.id === me);
    if (!partial) await writeHeartbeat(client, config.index, host);
    let owners = assignLeases(liveHosts(hosts, me, now, config.host_ttl, config.max_clock_skew));
    let takable = parts;
    if (partial) {
      const live = !!old && !notLiveReason(old, now, config.host_ttl, config.max_clock_skew);
      owners = new Map([...owners].filter(([, owner]) => live && owner === me));
      takable = new Map([...parts].filter(([name]) => owners.has(name)));
    }
    // A partial run never takes another host's lease, not even one left released past the grace period.
    const grace = partial ? undefined : { hostTtlMs: config.host_ttl, startedAt: new Map(hosts.map((h) => [h.id, h.startedAt])) };
    const leases = await takeLeases(client, config.index, holder, owners, me, now, config.partition_lease, config.max_clock_skew, takable, grace);
    const renewal = startRenewal(client, config.index, leases.held, config.partition_lease, config.partition_lease / 3);
    try {
      const partitions = new Set([...leases.held.keys()].filter((name) => name !== COORDINATOR).map(Number));
      const coordinator = leases.held.has(COORDINATOR);
      const scoped = partitions.size || coordinator ? await searchState(client, config.index, heldQuery([...partitions], coordinator)) : new Map();
      const read = this.assembled(new Map([...shared, ...scoped]), (p) => partitions.has(p), journal);
      read.data.lastRun = lastRunOf(old);
      read.data.ops ??= [];
      read.data.asks ??= [];
      const readBodies = new Map([...leases.held].map(([name, lease]) => [name, lease.doc.body]));
      const ownership = { host: me, partitions, coordinator, took: leases.took, skipped: leases.skipped };
      const tx = this.transaction({ ...common, ...read, holding: { mode: 'run', leases, renewal, host, ownership, readBodies, ...(partial ? { partial } : {}) } });
      tx.cluster = { hosts: read.hosts, leases: leaseRecords(parts) };
      return tx;
    } catch (error) {
      renewal.stop();
      throw error;
    }
  }

  /** Reads the documents matching `query` after a refresh (none when the index does not exist yet). */
  private async search(client: StateClient, query: unknown): Promise<Map<string, ReadHit>> {
    return (await refreshState(client, this.config.index)) ? await searchState(client, this.config.index, query) : new Map();
  }

  /** Puts the state together from the documents read, this host's local file and its journal (what it delivered but could not record). */
  private assembled(hits: Map<string, ReadHit>, inScope: (p: number) => boolean, journal: DeliveryJournal) {
    const local = readLocal(this.config.local_file);
    const assembled = assemble(hits, local, inScope);
    keepSetAside(this.config.local_file, assembled.setAside);
    auditRecovered(this.config.audit_log, journal.replay(assembled.data));
    return { ...assembled, localOnDisk: JSON.stringify(local) };
  }

  private transaction(parts: TransactionParts & { setAside: SetAside[] }): ClusterTransaction {
    const tx = new ClusterTransaction(parts);
    tx.warning = setAsideWarning(parts.setAside, `the state index ${this.config.index}`, setAsideFile(this.config.local_file));
    return tx;
  }

  /** Reads the whole state without any lease (after a refresh, so that the last runs' writes are seen), with the hosts and leases. */
  async peek(): Promise<{ data: StateData; warning?: string; cluster: { hosts: HostRecord[]; leases: LeaseRecord[] } }> {
    const client = new StateClient(this.connection);
    try {
      const hits = await this.search(client, EVERYTHING);
      const { data, setAside, hosts, parts } = assemble(hits, readLocal(this.config.local_file), () => true);
      data.lastRun ??= latestLastRun(hosts);
      new DeliveryJournal(`${this.config.local_file}.journal`).replay(data);
      return { data, warning: setAsideWarning(setAside, `the state index ${this.config.index}`, undefined), cluster: { hosts, leases: leaseRecords(parts) } };
    } catch (error) {
      if (error instanceof ClusterUnreachable) throw new StoreUnavailableError(error.message);
      throw error;
    } finally {
      client.close();
    }
  }
}

/** This host's heartbeat as of now: what it said before (its start, last run, takeovers), no longer leaving. */
function hostRecord(hosts: readonly HostRecord[], me: string, deployment: string): HostRecord {
  const now = leaseNow();
  const old = hosts.find((h) => h.id === me);
  const { leaving: _leaving, ...kept } = old ?? ({} as Partial<HostRecord>);
  return { ...kept, id: me, holder: deployment, lastSeen: now, startedAt: old?.startedAt ?? now, version: alertcronVersion() };
}

/** alertcron's version (from its package.json), for the heartbeat. */
function alertcronVersion(): string {
  try {
    return String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/**
 * The transaction of a run that could not reach the cluster: it holds this host's local slices and the notices
 * queued locally, so that the "cluster down" notice is still counted, sent and retried; commit writes only those.
 */
function unavailableTransaction(config: StateConfig, local: ReturnType<typeof readLocal>, journal: DeliveryJournal, why: string, compromised: () => Error | undefined, closeAll: () => Promise<void>, client: StateClient): StateTransaction {
  const file = config.local_file;
  const data = withLocalSlices(emptyState(), local);
  data.pending = [...local.pending];
  keepSetAside(file, settleState(data));
  auditRecovered(config.audit_log, journal.replay(data));
  return {
    data,
    unavailable: why,
    fencingToken: 0,
    async commit() {
      const lost = compromised();
      if (lost) throw new Error(`this host's lock on ${file} was lost (${errorMessage(lost)}); state not written`);
      writeLocal(file, { slices: localSlicesOf(data), pending: data.pending });
    },
    // Kept until a run that reaches the cluster has recorded them: they may be about shared items too.
    journal: (entry) => journal.append(entry),
    stats: () => ({ requests: client.requests, writes: client.writes, docs: client.docs }),
    release: closeAll,
  };
}

/**
 * Leaves the lease held for ever by `marker` (while the caller still holds it): after `state migrate --to file`,
 * a host still configured for the cluster stops with a message instead of running on the state left behind.
 */
export async function markMoved(connection: ClusterConnection, index: string, marker: string): Promise<void> {
  const client = new StateClient(connection);
  try {
    const got = await client.send('GET', `/${index}/_doc/${LEASE_ID}`);
    const current = got.body._source as LeaseDoc;
    const now = Date.now();
    const written = await writeLease(client, index, { ...current, holder: marker, token: current.token + 1, until: Number.MAX_SAFE_INTEGER, released: false, updated_at: now }, { seqNo: got.body._seq_no, primaryTerm: got.body._primary_term });
    if (!written) throw new UserError(`another run took the lease of ${index} while the state was being moved: run state migrate again`, ExitCode.lockHeld);
  } catch (error) {
    throw error instanceof ClusterUnreachable ? new StoreUnavailableError(error.message) : error;
  } finally {
    client.close();
  }
}
