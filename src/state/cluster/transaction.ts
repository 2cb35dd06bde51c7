import type { StateConfig } from '../../model/config.js';
import { SELF_ALERT } from '../../model/alert.js';
import { PARTITIONS, partitionOf, type HostRecord, type LeaseRecord, type Ownership } from '../../model/partition.js';
import type { PendingDelivery, StateData } from '../../model/state.js';
import { leaseNow } from '../../util/clock.js';
import { ExitCode, UserError } from '../../util/errors.js';
import type { DeliveryJournal } from '../journal.js';
import { StateConflictError, StoreUnavailableError, type StateTransaction } from '../store.js';
import { bulk, hardFailures, type BulkOp, type BulkResult } from './bulk.js';
import { Claims } from './claims.js';
import { ClusterUnreachable, type StateClient } from './client.js';
import { addTakeovers, hostDocId } from './hosts.js';
import { lastRunOf } from './assemble.js';
import { docJson, partitionBody, partitionedDocs } from './layout.js';
import { giveBackMigration } from './layoutMove.js';
import { stateDocId } from './docs.js';
import { LEASE_ID, markPartitioned, shownHolder, writeLease, type HeldLease, type LeaseDoc } from './lease.js';
import { localSlicesOf, readLocal, writeLocal, type LocalState } from './localFile.js';
import { leaseDocId, newLeaseDocument, releaseLeases, renewLeases, type HeldLeases, type LeaseRead, type PartitionBody, type Renewal } from './partitionLeases.js';
import { mayWrite } from './writerRules.js';

/** A state document as read: its JSON (partition and body, to see whether a run changed it) and what its next write must match. */
export interface ReadDoc {
  json: string;
  seqNo: number;
  primaryTerm: number;
}

/** How often at most the claims of long-sent notices are pruned. */
const CLAIM_PRUNE_EVERY_MS = 3_600_000;

/**
 * What a transaction holds. `whole`: `lease:run` and with it everything (`state migrate`, the layout move).
 * `run`: the partition leases it took, renewed by a timer. `command`: nothing (it writes silences, queued
 * operations, the meta document by sequence number, and local slices).
 */
export type Holding =
  | { mode: 'whole'; runLease: HeldLease; parts: Map<string, LeaseRead | undefined>; leaveMarker: boolean; host: HostRecord }
  | { mode: 'run'; leases: HeldLeases; renewal: Renewal; host: HostRecord; ownership: Ownership; readBodies: Map<string, PartitionBody>; partial?: boolean }
  | { mode: 'shell'; ownership: Ownership };

/** The parts of a cluster transaction that begin() prepares. */
export interface TransactionParts {
  config: StateConfig;
  client: StateClient;
  data: StateData;
  holding: Holding;
  snapshot: Map<string, ReadDoc>;
  journal: DeliveryJournal;
  compromised: () => Error | undefined;
  closeAll: () => Promise<void>;
  localOnDisk: string;
  /** How long a notice's claim holds: run.deadline + max_clock_skew. */
  claimTtlMs: number;
}

/** The transaction of a run, command, migration or layout move on the cluster state (see Holding). */
export class ClusterTransaction implements StateTransaction {
  readonly fencingToken: number;
  readonly data: StateData;
  readonly ownership?: Ownership;
  /** A run's view of the deployment as begin() read it: the heartbeats and the leases (the coordinator watches the hosts with it). */
  cluster?: { hosts: HostRecord[]; leases: LeaseRecord[] };
  warning?: string;
  private readonly claims: Claims;
  private localJson: string;
  private leaseGivenBack = false;
  /** The lost leases a commit already said were lost (each is told once). */
  private readonly reported = new Set<string>();
  private readonly config: StateConfig;
  private readonly client: StateClient;

  constructor(private readonly parts: TransactionParts) {
    const { holding, config, client } = parts;
    this.config = config;
    this.client = client;
    this.data = parts.data;
    if (holding.mode !== 'whole') this.ownership = holding.ownership;
    this.fencingToken = holding.mode === 'whole' ? holding.runLease.doc.token : holding.mode === 'run' ? Math.max(0, ...[...holding.leases.held.values()].map((l) => l.doc.token)) : 0;
    // A 503 of a shard starting, or an index another host created first, was waited out while taking the lease.
    client.failure = undefined;
    const holder = holding.mode === 'whole' ? holding.runLease.doc.holder : holding.mode === 'run' ? [...holding.leases.held.values()][0]?.doc.holder ?? holding.host.holder : `${config.host_id}@command`;
    this.claims = new Claims(client, config.index, holder, this.fencingToken, parts.claimTtlMs);
    // What the local file holds now (notices it kept are written to the cluster by the first commit, then dropped from it).
    this.localJson = parts.localOnDisk;
  }

  /** The partitions (and 'coordinator') whose lease this transaction lost: nothing of theirs is written or sent any more. */
  private lost(): ReadonlySet<string> {
    return this.parts.holding.mode === 'run' ? this.parts.holding.renewal.lost() : new Set();
  }

  /** Whether this transaction may send an item: it holds the partition of the item's alert and did not lose it. */
  private maySend(item: PendingDelivery): boolean {
    const holding = this.parts.holding;
    if (holding.mode === 'whole') return true;
    const p = partitionOf(item.alert);
    return holding.ownership.partitions.has(p) && !this.lost().has(String(p));
  }

  claim(items: PendingDelivery[]): Promise<PendingDelivery[]> {
    // Nothing is sent once the cluster was lost: no claim could be trusted, and nothing sent could be recorded there.
    if (this.failed()) return Promise.resolve([]);
    return this.claims.claim(items.filter((item) => this.maySend(item)), this.data).catch(() => []);
  }

  /** Why a request to the cluster failed as a whole since the transaction began (a dropped connection, a timeout ...), if one did. */
  failed(): string | undefined {
    return this.client.failure;
  }

  journal(entry: Parameters<StateTransaction['journal']>[0]): Promise<void> {
    this.claims.sent(entry);
    return this.parts.journal.append(entry);
  }

  stats() {
    return { requests: this.client.requests, writes: this.client.writes, docs: this.client.docs };
  }

  /**
   * Writes the documents that changed and that this transaction may write (writerRules.ts) in one `_bulk`, each
   * with the sequence number it was read at, the partitions' documents (their windows) last, each with its lease's
   * sequence number: the fenced write. The leases are renewed first when their time ran low; a lease refused or
   * with no more than max_clock_skew left is lost, and nothing of its partition is written.
   */
  async commit(): Promise<void> {
    const compromised = this.parts.compromised();
    if (compromised) throw new Error(`this host's lock on ${this.config.local_file} was lost (${compromised.message}); state not written`);
    await this.claims.settled();
    await this.parts.journal.settled();
    // After a request failed as a whole, what this run read (sequence numbers, the lease's) may be stale: writing
    // again could be refused as another run's change, or half-land twice. Only this host's local file is written.
    if (this.failed()) return this.commitLocally();
    try {
      const holding = this.parts.holding;
      if (holding.mode === 'run') await holding.renewal.exclusive(() => this.commitToCluster());
      else await this.commitToCluster();
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
    const confirmed = (p: PendingDelivery) => this.parts.snapshot.get(stateDocId('pending', p.id))?.json === docJson({ partition: partitionOf(p.alert), body: p });
    for (const p of this.data.pending) if (p.alert === SELF_ALERT && !kept.has(p.id) && !confirmed(p)) kept.set(p.id, p);
    const local = { slices: localSlicesOf(this.data), pending: [...kept.values()] };
    writeLocal(this.config.local_file, local);
    this.localJson = JSON.stringify(local);
  }

  /** The writes of the documents that changed (not yet checked against the writer rules: see allowed()). */
  private documentWrites(now: number): { ops: BulkOp[]; jsons: Map<string, string> } {
    const { snapshot } = this.parts;
    const docs = partitionedDocs(this.data);
    const ops: BulkOp[] = [];
    const jsons = new Map<string, string>();
    for (const [id, doc] of docs) {
      const json = docJson(doc);
      const read = snapshot.get(id);
      if (read?.json === json) continue;
      jsons.set(id, json);
      const stored = { kind: doc.kind, id, ...(doc.partition !== undefined ? { partition: doc.partition } : {}), body: doc.body, updated_at: now };
      ops.push(read ? { op: 'index', id, doc: stored, seqNo: read.seqNo, primaryTerm: read.primaryTerm } : { op: 'create', id, doc: stored });
    }
    for (const [id, read] of snapshot) if (!docs.has(id)) ops.push({ op: 'delete', id, seqNo: read.seqNo, primaryTerm: read.primaryTerm });
    return { ops, jsons };
  }

  /** The fenced writes of the partitions' documents whose windows or applied operations changed. */
  private partitionWrites(now: number): BulkOp[] {
    const holding = this.parts.holding;
    const ops: BulkOp[] = [];
    if (holding.mode === 'shell') return ops;
    if (holding.mode === 'run') {
      for (const [name, lease] of holding.leases.held) {
        if (lease.doc.partition === undefined || this.lost().has(name)) continue;
        const body = partitionBody(this.data, lease.doc.partition, lease.doc.body, now);
        if (JSON.stringify(body) === JSON.stringify(lease.doc.body)) continue;
        ops.push({ op: 'index', id: leaseDocId(name), doc: { ...lease.doc, body }, seqNo: lease.seqNo, primaryTerm: lease.primaryTerm });
      }
      return ops;
    }
    for (let p = 0; p < PARTITIONS; p++) {
      const name = String(p);
      const read = holding.parts.get(name);
      const current = read?.doc ?? { ...newLeaseDocument(name, '', 0, 0), released: true };
      const body = partitionBody(this.data, current.partition!, current.body, now);
      if (read && JSON.stringify(body) === JSON.stringify(read.doc.body)) continue;
      if (!read && !Object.keys(body.windows).length && !Object.keys(body.ops).length) continue;
      const doc = { ...current, body };
      ops.push(read ? { op: 'index', id: doc.id, doc, seqNo: read.seqNo, primaryTerm: read.primaryTerm } : { op: 'create', id: doc.id, doc });
    }
    return ops;
  }

  /** Whether a write is this transaction's to make (writerRules.ts), given what it read. */
  private allowed(op: BulkOp): boolean {
    const holding = this.parts.holding;
    if (holding.mode === 'whole') return true;
    const change = op.op === 'create' ? 'create' : op.op === 'delete' ? 'delete' : 'update';
    const partition = op.op === 'delete' ? this.readPartition(op.id) : ((op.doc as { partition?: number }).partition ?? this.readPartition(op.id));
    return mayWrite({ id: op.id, change, ...(partition !== undefined ? { partition } : {}) }, holding.ownership, holding.mode === 'shell' ? 'command' : 'run', this.lost());
  }

  /** The partition a document had when read. */
  private readPartition(id: string): number | undefined {
    const json = this.parts.snapshot.get(id)?.json;
    if (!json) return undefined;
    const partition = (JSON.parse(json) as [number | null])[0];
    return partition ?? undefined;
  }

  private async commitToCluster(): Promise<void> {
    const now = leaseNow();
    const { ops: documentOps, jsons } = this.documentWrites(now);
    documentOps.push(...this.claims.giveBack(new Set(this.data.pending.map((p) => p.id))));
    const prune = this.pruneDue(now);
    const newlyLost = await this.fence(documentOps.length > 0 || prune);
    // After the renewal: the writes of a lease lost there are left out too.
    const ops = documentOps.filter((op) => op.id.startsWith('claim:') || this.allowed(op));
    ops.push(...this.partitionWrites(now));
    // What later writes depend on goes first: the pending items and receipts before the windows that moved past them.
    ops.sort((x, y) => writeRank(x) - writeRank(y));
    if (prune) ops.push(...this.prunedMark(now));
    ops.push(...this.lastRunWrite());
    if (ops.length) {
      const results = await bulk(this.client, this.config.index, ops);
      this.keepRefusedPending(ops, results);
      const failed = hardFailures(results);
      const conflicts: BulkResult[] = [];
      const alreadyThere = new Set<string>();
      let refusedInWrite = false;
      for (const [i, result] of results.entries()) {
        const op = ops[i]!;
        if (result.status === 409) {
          // A partition's document changed under a whole transaction (a migration holds every partition lease: only a
          // hand edit or a host that ignored the fence): a refusal like any other conflict, never a lost run lease.
          if (op.id.startsWith('part:') && this.parts.holding.mode !== 'run') conflicts.push(result);
          else if (op.id.startsWith('part:')) this.loseLease(op.id.slice('part:'.length)), newlyLost.push(op.id.slice('part:'.length)), this.reported.add(op.id.slice('part:'.length)), (refusedInWrite = true);
          // A claim given back that another run took over meanwhile (its time had run out): it is that run's now.
          else if (op.id.startsWith('claim:')) continue;
          // A queued operation or ask that exists already was queued by another host (create-only, same id): done.
          // A pending item or receipt created by id that is there already (a write that landed, its answer lost, and
          // kept in the local file meanwhile) is the same item: the cluster's copy is the one; this run drops its own.
          else if (op.op === 'create' && (op.id.startsWith('pending:') || op.id.startsWith('sent:'))) alreadyThere.add(op.id);
          else if (!(op.op === 'create' && (op.id.startsWith('op:') || op.id.startsWith('ask:')))) conflicts.push(result);
          continue;
        }
        if (result.status >= 300) continue;
        this.written(op, result, jsons);
      }
      // The holder of its partition sends it (or sent it already): not this run, from its own copy.
      if (alreadyThere.size) {
        const kept = this.data.pending.filter((p) => !alreadyThere.has(stateDocId('pending', p.id)));
        this.data.pending.splice(0, this.data.pending.length, ...kept);
      }
      if (failed.length) throw new Error(`the state cluster refused ${failed.length} of ${ops.length} writes: ${failed[0]!.id}: ${failed[0]!.error ?? `HTTP ${failed[0]!.status}`}`);
      if (newlyLost.length) throw await this.lostError(newlyLost, refusedInWrite);
      if (conflicts.length) throw new StateConflictError(conflicts.map((c) => c.id));
      if (prune) await this.pruneClaims(now);
    } else if (newlyLost.length) throw await this.lostError(newlyLost);
    const local = JSON.stringify({ slices: localSlicesOf(this.data), pending: [] });
    if (local !== this.localJson) writeLocal(this.config.local_file, JSON.parse(local));
    this.localJson = local;
    this.parts.journal.clear();
  }

  /**
   * A whole transaction (a migration, the layout move) keeps the state's lastRun in this host's heartbeat, where
   * the partitioned layout has it (not in meta:state).
   */
  private lastRunWrite(): BulkOp[] {
    const holding = this.parts.holding;
    const run = this.data.lastRun;
    if (holding.mode !== 'whole' || !run || JSON.stringify(lastRunOf(holding.host)) === JSON.stringify(run)) return [];
    holding.host = { ...holding.host, lastRun: { evaluated: 0, partitions: [], coordinator: false, ...holding.host.lastRun, ...run } };
    return [heartbeatWrite(holding.host)];
  }

  /** Takes note of a successful write: the snapshot (documents) or the held lease (partition documents) moves on. */
  private written(op: BulkOp, result: BulkResult, jsons: Map<string, string>): void {
    const holding = this.parts.holding;
    if (op.id.startsWith('part:')) {
      const name = op.id.slice('part:'.length);
      if (holding.mode === 'run') {
        const lease = holding.leases.held.get(name);
        if (lease && op.op !== 'delete') holding.leases.held.set(name, { doc: op.op === 'update' ? { ...lease.doc, ...op.doc } : (op.doc as typeof lease.doc), seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
      } else if (holding.mode === 'whole' && op.op !== 'delete') holding.parts.set(name, { doc: op.doc as LeaseRead['doc'], seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
      return;
    }
    if (op.op === 'delete') this.parts.snapshot.delete(result.id);
    else if (jsons.has(result.id)) this.parts.snapshot.set(result.id, { json: jsons.get(result.id)!, seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
  }

  /**
   * Before a commit writes: `whole` renews `lease:run` (refused: nothing is written); `run` renews the leases whose
   * time ran low (less than two thirds of partition_lease left: the timer fell behind) and loses those refused or
   * left with no more than max_clock_skew. Returns the leases lost now.
   */
  private async fence(writing: boolean): Promise<string[]> {
    const holding = this.parts.holding;
    if (holding.mode === 'whole') {
      if (writing) await this.renewRunLease(holding);
      return [];
    }
    if (holding.mode !== 'run') return [];
    const ttl = this.config.partition_lease;
    const live = [...holding.leases.held].filter(([name]) => !this.lost().has(name));
    if (live.some(([, lease]) => lease.doc.until - leaseNow() < (ttl * 2) / 3)) await renewLeases(this.client, this.config.index, holding.leases.held, holding.renewal.lost() as Set<string>, ttl);
    for (const [name] of live.filter(([n]) => !this.lost().has(n))) {
      // Renewed, but so late (this host paused, the answer slow) that another host, its clock up to max_clock_skew
      // ahead, may already judge it expired and take over: writing now could add to what that host writes.
      if (holding.leases.held.get(name)!.doc.until - leaseNow() <= this.config.max_clock_skew) holding.renewal.lose(name, 'late');
    }
    // Lost now, or by the timer's renewal since the last commit: each told once.
    const lost = [...this.lost()].filter((name) => !this.reported.has(name));
    for (const name of lost) this.reported.add(name);
    return lost;
  }

  private loseLease(name: string): void {
    if (this.parts.holding.mode === 'run') this.parts.holding.renewal.lose(name, 'refused');
  }

  /**
   * The error for leases lost at this commit: those refused ("fencing token N > M", with the newer token read now)
   * and those renewed too late; nothing of their partitions was written.
   */
  private async lostError(names: string[], inWrite = false): Promise<UserError> {
    const holding = this.parts.holding as Extract<Holding, { mode: 'run' }>;
    const label = (name: string) => (name === 'coordinator' ? 'the coordinator' : `partition ${name}`);
    const list = (items: string[]) => `${items.slice(0, 5).map(label).join(', ')}${items.length > 5 ? ` and ${items.length - 5} more` : ''}`;
    const refused = names.filter((name) => holding.renewal.whyLost(name) === 'refused');
    const late = names.filter((name) => holding.renewal.whyLost(name) !== 'refused');
    const parts: string[] = [];
    if (refused.length) {
      const first = refused[0]!;
      const newer = await this.client.send('GET', `/${this.config.index}/_doc/${leaseDocId(first)}`, undefined, { bestEffort: true }).catch(() => undefined);
      const source = newer?.body?._source as { holder?: string; token?: number } | undefined;
      parts.push(`another host (${source?.holder === undefined ? 'unknown' : shownHolder(source.holder)}) took over ${list(refused)} meanwhile (fencing token ${source?.token ?? '?'} > ${holding.leases.held.get(first)?.doc.token ?? '?'})`);
    }
    if (late.length) parts.push(`the leases of ${list(late)} were renewed too late (not more than state.max_clock_skew left of state.partition_lease): another host may be taking over`);
    const these = names.length === 1 ? 'that partition' : 'those partitions';
    // Refused in the write itself (the run stalled between its renewal and its _bulk past the lease): its windows were not
    // written, but the notices it queued in the same write may have landed (Elasticsearch cannot make one document's
    // write depend on another's): the holder evaluates those windows again, and such a notice may be sent beside its own.
    if (inWrite) return new UserError(`${parts.join('; ')}; the windows of ${these} were not written (the holder evaluates them again); notices this run queued in that write may have reached the cluster and be sent beside the holder's own`, ExitCode.lockHeld);
    return new UserError(`${parts.join('; ')}; nothing of ${these} was written (state not written for them)`, ExitCode.lockHeld);
  }

  private async renewRunLease(holding: Extract<Holding, { mode: 'whole' }>): Promise<void> {
    const now = Date.now();
    const doc: LeaseDoc = { ...holding.runLease.doc, until: now + this.config.lease_ttl, updated_at: now };
    const renewed = await writeLease(this.client, this.config.index, doc, holding.runLease);
    if (renewed) {
      holding.runLease = renewed;
      const left = renewed.doc.until - Date.now();
      if (left <= this.config.max_clock_skew) {
        throw new UserError(`the state lease was renewed too late (${Math.max(0, Math.round(left / 1000))}s left of state.lease_ttl, not more than state.max_clock_skew): another host may be taking over; state not written`, ExitCode.lockHeld);
      }
      return;
    }
    const current = await this.client.send('GET', `/${this.config.index}/_doc/${LEASE_ID}`, undefined, { bestEffort: true }).catch(() => undefined);
    const newer = (current?.body?._source as LeaseDoc | undefined) ?? undefined;
    throw new UserError(`another run (${newer?.holder === undefined ? 'unknown' : shownHolder(newer.holder)}) took the state lease over meanwhile (fencing token ${newer?.token ?? '?'} > ${this.fencingToken}); state not written`, ExitCode.lockHeld);
  }

  /** Whether the hourly pruning of old claims is due: the coordinator's chore (or a whole transaction's). */
  private pruneDue(now: number): boolean {
    const holding = this.parts.holding;
    if (holding.mode === 'whole') return false;
    if (holding.mode !== 'run' || !holding.ownership.coordinator || this.lost().has('coordinator')) return false;
    const lease = holding.leases.held.get('coordinator');
    return !!lease && ((lease.doc as { pruned_at?: number }).pruned_at ?? 0) < now - CLAIM_PRUNE_EVERY_MS;
  }

  /** The note on the coordinator's lease that the claims were pruned now. */
  private prunedMark(now: number): BulkOp[] {
    const holding = this.parts.holding as Extract<Holding, { mode: 'run' }>;
    const lease = holding.leases.held.get('coordinator')!;
    return [{ op: 'update', id: leaseDocId('coordinator'), doc: { pruned_at: now }, seqNo: lease.seqNo, primaryTerm: lease.primaryTerm }];
  }

  /**
   * A pending item whose document the cluster refused (429, mapping ...) while its alert's window was written (or
   * not changed) would be lost: the next run does not evaluate that window again. It is kept in the local file, and
   * the next run of this host that reaches the cluster writes it there again. (An item whose partition's document
   * failed too is left out: the next run evaluates the window again and queues it afresh.)
   */
  private keepRefusedPending(ops: BulkOp[], results: BulkResult[]): void {
    const refused = new Set(hardFailures(results).map((r) => r.id));
    if (![...refused].some((id) => id.startsWith('pending:'))) return;
    const written = (id: string) => !ops.some((op) => op.id === id) || !refused.has(id);
    const keep = this.data.pending.filter((p) => refused.has(stateDocId('pending', p.id)) && written(stateDocId('alert', p.alert)) && written(leaseDocId(String(partitionOf(p.alert)))));
    if (!keep.length) return;
    const local = readLocal(this.config.local_file);
    const known = new Set(local.pending.map((p) => p.id));
    const kept = { slices: localSlicesOf(this.data), pending: [...local.pending, ...keep.filter((p) => !known.has(p.id))] };
    writeLocal(this.config.local_file, kept);
    this.localJson = JSON.stringify(kept);
  }

  /** Gives the leases back and closes (see unlease). */
  async release(): Promise<void> {
    try {
      await this.unlease();
    } finally {
      const holding = this.parts.holding;
      if (holding.mode === 'run') holding.renewal.stop();
      await this.parts.closeAll();
    }
  }

  /**
   * Gives the leases back (once), keeping this host's lock; a failure shows in failed(). A run: its partition
   * leases released (the next run of their assignee need not wait for them to expire), then its heartbeat with
   * this run and its takeovers (not for a partial run: only a full run's heartbeat keeps a host live). A whole transaction: `lease:run` left with the partitioned layout's marker.
   */
  async unlease(): Promise<void> {
    if (this.leaseGivenBack) return;
    this.leaseGivenBack = true;
    await this.claims.settled();
    const holding = this.parts.holding;
    const { client, config } = this;
    if (holding.mode === 'whole') {
      // The partition leases a migration took are given back once lease:run holds the marker again (after a move to a
      // file, the move's marker holds it: they run out after lease_ttl, and a run finds the marker first).
      const marked = holding.leaveMarker && (await markPartitioned(client, config.index, config.host_id, holding.runLease).catch(() => false));
      if (marked) await giveBackMigration(client, config.index, holding.runLease.doc.holder, holding.parts).catch(() => undefined);
      if (!holding.leaveMarker) await writeLease(client, config.index, { ...holding.runLease.doc, released: true, until: Date.now(), updated_at: Date.now() }, holding.runLease).catch(() => undefined);
      return;
    }
    if (holding.mode !== 'run') return;
    holding.renewal.stop();
    const now = leaseNow();
    const partitions = [...holding.ownership.partitions].filter((p) => !holding.renewal.lost().has(String(p))).sort((a, b) => a - b);
    // This run's, when it recorded one (the run's own share, if it says it, wins over what the store counted).
    const ran = this.data.lastRun && this.data.lastRun.finishedAt !== holding.host.lastRun?.finishedAt ? this.data.lastRun : undefined;
    const lastRun = ran && { evaluated: this.evaluated(), partitions, coordinator: holding.ownership.coordinator, ...ran };
    const record: HostRecord = addTakeovers({ ...holding.host, lastSeen: now, ...(lastRun ? { lastRun } : {}) }, holding.leases.took, now);
    // The heartbeat goes with the leases given back: one request.
    await holding.renewal.exclusive(() => releaseLeases(client, config.index, holding.leases.held, holding.renewal.lost(), now, holding.partial ? [] : [heartbeatWrite(record)])).catch(() => undefined);
  }

  /** How many alerts this run moved on (their per-run fields changed since they were read). */
  private evaluated(): number {
    const holding = this.parts.holding as Extract<Holding, { mode: 'run' }>;
    let count = 0;
    for (const [name, lease] of holding.leases.held) {
      if (lease.doc.partition === undefined) continue;
      const before = holding.readBodies.get(name)?.windows ?? {};
      const after = partitionBody(this.data, lease.doc.partition, undefined, 0).windows;
      for (const alert of Object.keys(after)) if (JSON.stringify(after[alert]) !== JSON.stringify(before[alert])) count++;
    }
    return count;
  }

  /** Deletes the claims of notices sent or given up longer ago than prune_after. */
  private async pruneClaims(now: number): Promise<void> {
    const query = { query: { bool: { filter: [{ term: { kind: 'claim' } }, { range: { updated_at: { lt: now - this.config.prune_after } } }] } } };
    await this.client.send('POST', `/${this.config.index}/_delete_by_query?conflicts=proceed`, query, { write: true, bestEffort: true }).catch(() => undefined);
  }
}

/** The write of a host's heartbeat document in a `_bulk` (the document hosts.ts writeHeartbeat writes). */
function heartbeatWrite(record: HostRecord): BulkOp {
  const id = hostDocId(record.id);
  return { op: 'index', id, doc: { kind: 'host', id, holder: record.holder, last_seen: record.lastSeen, updated_at: record.lastSeen, body: record } };
}

/** The order of a commit's writes: pending items, receipts and silences, then deletions, then alert and meta documents, then the partitions' documents. */
function writeRank(op: BulkOp): number {
  if (op.id.startsWith('part:')) return 3;
  if (op.op === 'delete') return 1;
  return op.id.startsWith('alert:') || op.id.startsWith('meta:') ? 2 : 0;
}
