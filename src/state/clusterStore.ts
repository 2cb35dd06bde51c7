import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StateConfig } from '../model/config.js';
import { emptyState, type PendingDelivery, type StateData } from '../model/state.js';
import { SELF_ALERT } from '../model/alert.js';
import { errorMessage, ExitCode, UserError } from '../util/errors.js';
import { bulk, hardFailures, type BulkOp, type BulkResult } from './cluster/bulk.js';
import { Claims } from './cluster/claims.js';
import { ClusterUnreachable, StateClient, type ClusterConnection } from './cluster/client.js';
import { fromDocs, STATE_KINDS, toDocs, type StateDoc } from './cluster/docs.js';
import { acquireLease, LEASE_ID, writeLease, type HeldLease, type LeaseDoc } from './cluster/lease.js';
import { instanceId, localSlicesOf, readLocal, withLocalSlices, writeLocal, type LocalState } from './cluster/localFile.js';
import { acquireLock } from './fileLock.js';
import { DeliveryJournal } from './journal.js';
import { keepSetAside, setAsideFile, setAsideWarning, type SetAside } from './setAside.js';
import { settleState } from './settle.js';
import { auditRecovered } from './recoveredAudit.js';
import { StoreUnavailableError, type StateStore, type StateTransaction } from './store.js';

/** A state document as read: its JSON (to see whether a run changed it) and what its next write must match. */
interface ReadDoc {
  json: string;
  seqNo: number;
  primaryTerm: number;
}

/** How often at most the claims of long-sent notices are pruned. */
const CLAIM_PRUNE_EVERY_MS = 3_600_000;
/** Documents per page when reading the state. */
const PAGE = 10_000;

/**
 * The state in an index of the cluster the alerts search, shared by every host that runs them: one document per
 * alert, pending item, sent notice and silence, written with if_seq_no/if_primary_term. A run holds the lease
 * (with a fencing token) while it works, claims each notification with a create-only document before sending it,
 * and keeps this host's local slices (LOCAL_SLICES) and a delivery journal in `state.local_file`.
 */
export class ClusterStateStore implements StateStore {
  constructor(
    private readonly config: StateConfig,
    private readonly connection: ClusterConnection,
    private readonly options: { takeOverMoved?: boolean; deadlineAt?: number } = {},
  ) {}

  /**
   * Takes this host's lock, then the cluster's lease, and reads the state. When the cluster cannot be reached the
   * transaction is `unavailable`: it holds only the local slices and the notices queued locally.
   */
  async begin(): Promise<StateTransaction> {
    const { config } = this;
    let compromised: Error | undefined;
    mkdirSync(dirname(config.local_file), { recursive: true });
    const releaseLocal = await acquireLock(config.local_file, config.lock_wait, (error) => (compromised = error));
    const client = new StateClient(this.connection);
    const local = readLocal(config.local_file);
    const journal = new DeliveryJournal(`${config.local_file}.journal`);
    const closeAll = async () => {
      client.close();
      if (!compromised) await releaseLocal().catch(() => undefined);
    };
    try {
      // host@instance/pid/run: what a later run of this very deployment may take over at once (it holds the local lock).
      const holder = `${config.host_id}@${instanceId(config.local_file)}/${process.pid}/${randomUUID().slice(0, 8)}`;
      // A run waits for the lease at most half the time it has left: the other half is for its own work.
      const { deadlineAt } = this.options;
      const waitMs = deadlineAt === undefined ? config.lock_wait : Math.max(0, Math.min(config.lock_wait, (deadlineAt - Date.now()) / 2));
      const lease = await acquireLease(client, config.index, holder, config.lease_ttl, waitMs, this.options.takeOverMoved);
      const read = await readDocs(client, config.index);
      const setAside: SetAside[] = [];
      const data = withLocalSlices(fromDocs([...read.values()].map((r) => r.doc), (where, why, value) => setAside.push({ where, why, value })), local);
      const shared = new Set(data.pending.map((p) => p.id));
      // A copy the cluster already has, or one sent already (by either host), is not queued again.
      const sent = new Set(data.sent.map((s) => s.id));
      data.pending.push(...local.pending.filter((p) => !shared.has(p.id) && !sent.has(p.id)));
      // Parts of the wrong shape are kept beside this host's local file; the next commit leaves them out of the cluster.
      setAside.push(...settleState(data));
      keepSetAside(config.local_file, setAside);
      // Deliveries this host accepted but could not record in the cluster (it went away, or the run was killed).
      auditRecovered(config.audit_log, journal.replay(data));
      const snapshot = new Map([...read].map(([id, r]) => [id, { json: JSON.stringify(r.doc.body), seqNo: r.seqNo, primaryTerm: r.primaryTerm }]));
      const tx = new ClusterTransaction(config, client, data, lease, snapshot, journal, () => compromised, closeAll, JSON.stringify(local));
      tx.warning = setAsideWarning(setAside, `the state index ${config.index}`, setAsideFile(config.local_file));
      return tx;
    } catch (error) {
      if (!(error instanceof ClusterUnreachable)) {
        await closeAll();
        throw error;
      }
      return unavailableTransaction(config, local, journal, error.message, () => compromised, closeAll, client);
    }
  }

  /** Reads the state without the lease (after a refresh, so that the last run's writes are seen). */
  async peek(): Promise<{ data: StateData; warning?: string }> {
    const client = new StateClient(this.connection);
    try {
      const read = await readDocs(client, this.config.index);
      const setAside: SetAside[] = [];
      const data = withLocalSlices(fromDocs([...read.values()].map((r) => r.doc), (where, why, value) => setAside.push({ where, why, value })), readLocal(this.config.local_file));
      setAside.push(...settleState(data));
      new DeliveryJournal(`${this.config.local_file}.journal`).replay(data);
      return { data, warning: setAsideWarning(setAside, `the state index ${this.config.index}`, undefined) };
    } catch (error) {
      if (error instanceof ClusterUnreachable) throw new StoreUnavailableError(error.message);
      throw error;
    } finally {
      client.close();
    }
  }
}

/** Reads every state document (refreshing the small index first: a search sees only refreshed writes). */
async function readDocs(client: StateClient, index: string): Promise<Map<string, { doc: StateDoc; seqNo: number; primaryTerm: number }>> {
  const docs = new Map<string, { doc: StateDoc; seqNo: number; primaryTerm: number }>();
  const refreshed = await client.send('POST', `/${index}/_refresh`);
  if (refreshed.status === 404) return docs;
  // A refresh that did not say it reached every shard may leave the search below reading an older state (whose writes
  // then conflict after notices went out): the cluster failed.
  const shards = refreshed.body?._shards;
  if (typeof shards?.total !== 'number' || shards.failed !== 0) throw client.failed(`POST /${index}/_refresh answered HTTP ${refreshed.status} without refreshing every shard`);
  let after: unknown[] | undefined;
  for (;;) {
    const answer = await client.send('POST', `/${index}/_search`, {
      size: PAGE,
      query: { terms: { kind: STATE_KINDS } },
      seq_no_primary_term: true,
      sort: [{ id: 'asc' }],
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    });
    if (answer.status === 404) return docs;
    // An answer without hits is not "no state" (that would start afresh and tell every key again): the cluster failed.
    if (!Array.isArray(answer.body?.hits?.hits)) throw client.failed(`POST /${index}/_search answered HTTP ${answer.status} without hits`);
    const hits = answer.body.hits.hits as { _id: string; _source: StateDoc; _seq_no: number; _primary_term: number; sort: unknown[] }[];
    for (const hit of hits) docs.set(hit._id, { doc: hit._source, seqNo: hit._seq_no, primaryTerm: hit._primary_term });
    if (hits.length < PAGE) return docs;
    after = hits[hits.length - 1]!.sort;
  }
}

/** The transaction of a run that holds the lease. */
class ClusterTransaction implements StateTransaction {
  readonly fencingToken: number;
  warning?: string;
  private readonly claims: Claims;
  private localJson: string;
  private leaseGivenBack = false;

  constructor(
    private readonly config: StateConfig,
    private readonly client: StateClient,
    readonly data: StateData,
    private lease: HeldLease,
    private readonly snapshot: Map<string, ReadDoc>,
    private readonly localJournal: DeliveryJournal,
    private readonly compromised: () => Error | undefined,
    private readonly closeAll: () => Promise<void>,
    localOnDisk: string,
  ) {
    this.fencingToken = lease.doc.token;
    // A 503 of a shard starting, or an index another host created first, was waited out while taking the lease.
    client.failure = undefined;
    this.claims = new Claims(client, config.index, lease.doc.holder, lease.doc.token, config.lease_ttl);
    // What the local file holds now (notices it kept are written to the cluster by the first commit, then dropped from it).
    this.localJson = localOnDisk;
  }

  claim(items: Parameters<Claims['claim']>[0]): ReturnType<Claims['claim']> {
    // Nothing is sent once the cluster was lost: no claim could be trusted, and nothing sent could be recorded there.
    if (this.failed()) return Promise.resolve([]);
    return this.claims.claim(items, this.data).catch(() => []);
  }

  /** Why a request to the cluster failed as a whole since the lease was taken (a dropped connection, a timeout ...), if one did. */
  failed(): string | undefined {
    return this.client.failure;
  }

  journal(entry: Parameters<StateTransaction['journal']>[0]): void {
    this.localJournal.append(entry);
    this.claims.sent(entry);
  }

  stats() {
    return { requests: this.client.requests, writes: this.client.writes, docs: this.client.docs };
  }

  /**
   * Renews the lease with if_seq_no/if_primary_term (refused when another run took it over: this run's writes
   * are then dropped), then writes the documents that changed in one `_bulk`, each with the sequence number it
   * was read at (a document another run wrote meanwhile is refused too).
   */
  async commit(): Promise<void> {
    const compromised = this.compromised();
    if (compromised) throw new Error(`this host's lock on ${this.config.local_file} was lost (${compromised.message}); state not written`);
    await this.claims.settled();
    // After a request failed as a whole, what this run read (sequence numbers, the lease's) may be stale: writing
    // again could be refused as another run's change, or half-land twice. Only this host's local file is written.
    if (this.failed()) return this.commitLocally();
    try {
      await this.commitToCluster();
    } catch (error) {
      if (!(error instanceof ClusterUnreachable)) throw error;
      this.commitLocally();
      throw new StoreUnavailableError(error.message);
    }
  }

  /**
   * Once the cluster was lost: keeps this host's local slices and every pending item the cluster has not confirmed
   * in the local file (the next run sends them, from the cluster or from local memory): the items the local file
   * held and that are still pending (not sent, not given up), and this run's notices about alertcron itself that
   * were not written to the cluster as they are. The journal keeps what was delivered.
   */
  private commitLocally(): void {
    const current = new Map(this.data.pending.map((p) => [p.id, p]));
    const kept = new Map<string, PendingDelivery>();
    for (const p of (JSON.parse(this.localJson) as LocalState).pending) {
      const now = current.get(p.id);
      if (now) kept.set(p.id, now);
    }
    const confirmed = (p: PendingDelivery) => this.snapshot.get(`pending:${p.id}`)?.json === JSON.stringify(p);
    for (const p of this.data.pending) if (p.alert === SELF_ALERT && !kept.has(p.id) && !confirmed(p)) kept.set(p.id, p);
    const local = { slices: localSlicesOf(this.data), pending: [...kept.values()] };
    writeLocal(this.config.local_file, local);
    this.localJson = JSON.stringify(local);
  }

  private async commitToCluster(): Promise<void> {
    const now = Date.now();
    const docs = toDocs(this.data);
    const ops: BulkOp[] = [];
    const jsons = new Map<string, string>();
    for (const [id, doc] of docs) {
      const json = JSON.stringify(doc.body);
      const read = this.snapshot.get(id);
      if (read?.json === json) continue;
      jsons.set(id, json);
      const stored = { kind: doc.kind, id, body: doc.body, updated_at: now };
      ops.push(read ? { op: 'index', id, doc: stored, seqNo: read.seqNo, primaryTerm: read.primaryTerm } : { op: 'create', id, doc: stored });
    }
    for (const [id, read] of this.snapshot) if (!docs.has(id)) ops.push({ op: 'delete', id, seqNo: read.seqNo, primaryTerm: read.primaryTerm });
    ops.push(...this.claims.giveBack(new Set(this.data.pending.map((p) => p.id))));
    // What later writes depend on goes first: the pending items and receipts before the windows that moved past them.
    ops.sort((x, y) => writeRank(x) - writeRank(y));
    const prune = (this.lease.doc.pruned_at ?? 0) < now - CLAIM_PRUNE_EVERY_MS;
    if (ops.length || prune) {
      await this.renewLease(now, prune);
      const results = await bulk(this.client, this.config.index, ops);
      this.keepRefusedPending(ops, results);
      const failed = hardFailures(results);
      const conflicts = results.filter((r) => r.status === 409);
      for (const [i, result] of results.entries()) {
        if (result.status >= 300) continue;
        const op = ops[i]!;
        if (op.op === 'delete') this.snapshot.delete(result.id);
        else if (jsons.has(result.id)) this.snapshot.set(result.id, { json: jsons.get(result.id)!, seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
      }
      if (failed.length) throw new Error(`the state cluster refused ${failed.length} of ${ops.length} writes: ${failed[0]!.id}: ${failed[0]!.error ?? `HTTP ${failed[0]!.status}`}`);
      if (conflicts.length) throw new UserError(`another run changed ${conflicts.length} state documents meanwhile (first ${conflicts[0]!.id}); this run's changes to them were refused`, ExitCode.lockHeld);
      if (prune) await this.pruneClaims(now);
    }
    const local = JSON.stringify({ slices: localSlicesOf(this.data), pending: [] });
    if (local !== this.localJson) writeLocal(this.config.local_file, JSON.parse(local));
    this.localJson = local;
    this.localJournal.clear();
  }

  /**
   * A pending item whose document the cluster refused (429, mapping ...) while its alert's window was written (or
   * not changed) would be lost: the next run does not evaluate that window again. It is kept in the local file, and
   * the next run of this host that reaches the cluster writes it there again. (An item whose alert document failed
   * too is left out: the next run evaluates the window again and queues it afresh.)
   */
  private keepRefusedPending(ops: BulkOp[], results: BulkResult[]): void {
    const refused = new Set(hardFailures(results).map((r) => r.id));
    if (![...refused].some((id) => id.startsWith('pending:'))) return;
    const written = (id: string) => !ops.some((op) => op.id === id) || !refused.has(id);
    const keep = this.data.pending.filter((p) => refused.has(`pending:${p.id}`) && written(`alert:${p.alert}`));
    if (!keep.length) return;
    const local = readLocal(this.config.local_file);
    const known = new Set(local.pending.map((p) => p.id));
    const kept = { slices: localSlicesOf(this.data), pending: [...local.pending, ...keep.filter((p) => !known.has(p.id))] };
    writeLocal(this.config.local_file, kept);
    this.localJson = JSON.stringify(kept);
  }

  /** Gives the lease back (released, so that the next run, on either host, need not wait for it to expire). */
  async release(): Promise<void> {
    try {
      await this.unlease();
    } finally {
      await this.closeAll();
    }
  }

  /** Gives the lease back (once), keeping this host's lock; a failure shows in failed(). */
  async unlease(): Promise<void> {
    if (this.leaseGivenBack) return;
    this.leaseGivenBack = true;
    await this.claims.settled();
    await writeLease(this.client, this.config.index, { ...this.lease.doc, released: true, until: Date.now(), updated_at: Date.now() }, this.lease).catch(() => undefined);
  }

  private async renewLease(now: number, prune: boolean): Promise<void> {
    const doc: LeaseDoc = { ...this.lease.doc, until: now + this.config.lease_ttl, updated_at: now, ...(prune ? { pruned_at: now } : {}) };
    const renewed = await writeLease(this.client, this.config.index, doc, this.lease);
    if (renewed) {
      this.lease = renewed;
      // Renewed, but so late (this host paused, the answer slow) that another host, its clock up to max_clock_skew
      // ahead, may already judge it expired and take over: writing now could add to what that host writes.
      const left = renewed.doc.until - Date.now();
      if (left <= this.config.max_clock_skew) {
        throw new UserError(`the state lease was renewed too late (${Math.max(0, Math.round(left / 1000))}s left of state.lease_ttl, not more than state.max_clock_skew): another host may be taking over; state not written`, ExitCode.lockHeld);
      }
      return;
    }
    const current = await this.client.send('GET', `/${this.config.index}/_doc/${LEASE_ID}`).catch(() => undefined);
    const newer = (current?.body?._source as LeaseDoc | undefined) ?? undefined;
    throw new UserError(`another run (${newer?.holder ?? 'unknown'}) took the state lease over meanwhile (fencing token ${newer?.token ?? '?'} > ${this.fencingToken}); state not written`, ExitCode.lockHeld);
  }

  /** Deletes the claims of notices sent or given up longer ago than prune_after. */
  private async pruneClaims(now: number): Promise<void> {
    const query = { query: { bool: { filter: [{ term: { kind: 'claim' } }, { range: { updated_at: { lt: now - this.config.prune_after } } }] } } };
    await this.client.send('POST', `/${this.config.index}/_delete_by_query?conflicts=proceed`, query, { write: true }).catch(() => undefined);
  }
}

/** The order of a commit's writes: pending items, receipts and silences, then deletions, then alert and meta documents. */
function writeRank(op: BulkOp): number {
  if (op.op === 'delete') return 1;
  return op.id.startsWith('alert:') || op.id.startsWith('meta:') ? 2 : 0;
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
