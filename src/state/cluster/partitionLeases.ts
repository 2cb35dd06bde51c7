import { COORDINATOR, leaseNames, type LeaseRecord } from '../../model/partition.js';
import { leaseNow } from '../../util/clock.js';
import { bulk, type BulkOp } from './bulk.js';
import type { StateClient } from './client.js';

/** What a partition lease's document holds beside the lease: the per-run fields of its alerts, and the queued operations applied in it. */
export interface PartitionBody {
  windows: Record<string, Record<string, unknown>>;
  /** op id -> when it was applied in this partition. */
  ops: Record<string, number>;
}

/** A lease document `part:<name>` as stored (name "0".."63" or "coordinator"). */
export interface LeaseDocument {
  kind: 'part';
  id: string;
  /** The partition number; absent on the coordinator's lease. */
  partition?: number;
  holder: string;
  token: number;
  until: number;
  released: boolean;
  updated_at: number;
  body: PartitionBody;
}

/** A lease document as read, with what its next write must match. */
export interface LeaseRead {
  doc: LeaseDocument;
  seqNo: number;
  primaryTerm: number;
}

/** The leases one run took, how it took them, and the ones it left to their live holders. */
export interface HeldLeases {
  held: Map<string, { doc: LeaseDocument; seqNo: number; primaryTerm: number }>;
  took: { lease: string; from: string; grace?: true }[];
  skipped: string[];
}

/** The id of a lease's document. */
export const leaseDocId = (name: string) => `part:${name}`;

/** The host part (`host@instance`) of a holder `host@instance/pid/run`. */
const deployment = (holder: string) => holder.split('/')[0]!;
/** The host id of a holder. */
export const hostOfHolder = (holder: string) => holder.split('@')[0]!;

/** A fresh lease document (no holder yet wrote windows into it). */
export function newLeaseDocument(name: string, holder: string, now: number, ttlMs: number): LeaseDocument {
  const partition = name === COORDINATOR ? {} : { partition: Number(name) };
  return { kind: 'part', id: leaseDocId(name), ...partition, holder, token: 1, until: now + ttlMs, released: false, updated_at: now, body: { windows: {}, ops: {} } };
}

/** A stored document that has the shape of a lease document (another shape is read as absent: it is written afresh). */
export function isLeaseDocument(value: unknown): value is LeaseDocument {
  const doc = value as LeaseDocument | undefined;
  return !!doc && typeof doc === 'object' && typeof doc.holder === 'string' && Number.isFinite(doc.token) && Number.isFinite(doc.until) && typeof doc.released === 'boolean';
}

/** Reads every lease document in one `_mget` (realtime: no refresh needed); absent ones map to undefined. */
export async function readLeases(client: StateClient, index: string): Promise<Map<string, LeaseRead | undefined>> {
  const names = leaseNames();
  const leases = new Map<string, LeaseRead | undefined>(names.map((n) => [n, undefined]));
  const answer = await client.send('POST', `/${index}/_mget`, { ids: names.map(leaseDocId) });
  if (answer.status === 404) return leases;
  if (!Array.isArray(answer.body?.docs)) throw client.failed(`POST /${index}/_mget answered HTTP ${answer.status} without docs`);
  for (const found of answer.body.docs as { _id: string; found?: boolean; _source?: unknown; _seq_no?: number; _primary_term?: number }[]) {
    if (!found.found || !isLeaseDocument(found._source)) continue;
    leases.set(found._id.slice('part:'.length), { doc: withBody(found._source), seqNo: found._seq_no!, primaryTerm: found._primary_term! });
  }
  return leases;
}

/** The document with a body of the right shape (a body edited by hand, or missing, reads as empty). */
export function withBody(doc: LeaseDocument): LeaseDocument {
  const body = doc.body as Partial<PartitionBody> | undefined;
  const object = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
  return { ...doc, body: { windows: object(body?.windows) as PartitionBody['windows'], ops: object(body?.ops) as PartitionBody['ops'] } };
}

/**
 * How long a lease of another live host may stay released or absent before any host takes it (the grace rule): its
 * live assignee is not taking it (its lease `_bulk` keeps failing, or it runs without holding it).
 */
export interface Grace {
  /** state.host_ttl: a lease released (or absent while its assignee has been running) longer than this, plus the skew. */
  hostTtlMs: number;
  /** Each host's first heartbeat (HostRecord.startedAt), by host id: an absent lease has waited since its assignee began. */
  startedAt: ReadonlyMap<string, number>;
}

/**
 * Why this run takes a lease (undefined: it leaves it). Its own assignment: when absent, released, expired (until +
 * skew before now) or left by a dead run of this very deployment. Another host's assignment: when its holder's time
 * ran out without releasing it (a holder that died or stalled mid-run: a takeover), or, given `grace`, when it has
 * stayed released (since `updated_at`) or absent (since its assignee's first heartbeat) longer than host_ttl plus
 * the skew while its assignee counts as live (a `grace` take, recorded like a takeover).
 */
export function takeReason(current: LeaseDocument | undefined, owner: string | undefined, me: string, holder: string, now: number, skewMs: number, grace?: Grace): 'assigned' | 'takeover' | 'grace' | undefined {
  const expired = !!current && current.until + skewMs < now;
  if (owner === me) {
    if (!current || current.released || expired || deployment(current.holder) === deployment(holder)) return 'assigned';
    return undefined;
  }
  if (current && !current.released && expired) return 'takeover';
  if (!grace || owner === undefined) return undefined;
  const since = current ? (current.released ? Math.max(Number(current.updated_at) || 0, current.until) : undefined) : grace.startedAt.get(owner);
  return since !== undefined && since + grace.hostTtlMs + skewMs < now ? 'grace' : undefined;
}

/**
 * Takes, in one `_bulk`, the leases this host may take now (see takeReason; the grace rule only when `grace` is given): create-only when absent, else a partial
 * update with if_seq_no/if_primary_term raising the fencing token; of two hosts trying at once exactly one gets
 * each. Never waits: a lease a live holder has is skipped this run. `leases` is what readLeases returned.
 */
export async function takeLeases(client: StateClient, index: string, holder: string, owners: Map<string, string>, me: string, now: number, ttlMs: number, skewMs: number, leases: Map<string, LeaseRead | undefined>, grace?: Grace): Promise<HeldLeases> {
  const ops: BulkOp[] = [];
  const wanted: { name: string; doc: LeaseDocument; from?: string; grace?: true }[] = [];
  const skipped: string[] = [];
  for (const name of leaseNames()) {
    const read = leases.get(name);
    const reason = takeReason(read?.doc, owners.get(name), me, holder, now, skewMs, grace);
    // Taken by the grace rule: recorded like a takeover, from the live assignee that left it.
    const graced = reason === 'grace' ? owners.get(name) : undefined;
    if (!reason) {
      if (owners.get(name) === me) skipped.push(name);
      continue;
    }
    if (!read) {
      const doc = newLeaseDocument(name, holder, now, ttlMs);
      ops.push({ op: 'create', id: doc.id, doc });
      wanted.push({ name, doc, ...(graced ? { from: graced, grace: true as const } : {}) });
      continue;
    }
    const change = { holder, token: read.doc.token + 1, until: now + ttlMs, released: false, updated_at: now };
    ops.push({ op: 'update', id: leaseDocId(name), doc: change, seqNo: read.seqNo, primaryTerm: read.primaryTerm });
    // A takeover: the lease of another host that it did not give back.
    const from = graced ?? (!read.doc.released && hostOfHolder(read.doc.holder) !== me ? hostOfHolder(read.doc.holder) : undefined);
    wanted.push({ name, doc: { ...read.doc, ...change }, ...(from ? { from } : {}), ...(graced ? { grace: true as const } : {}) });
  }
  const results = await bulk(client, index, ops);
  const held: HeldLeases['held'] = new Map();
  const took: HeldLeases['took'] = [];
  results.forEach((result, i) => {
    const { name, doc, from, grace: byGrace } = wanted[i]!;
    if (result.status >= 300) {
      if (owners.get(name) === me) skipped.push(name);
      return;
    }
    held.set(name, { doc, seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
    if (from) took.push({ lease: name, from, ...(byGrace ? { grace: true as const } : {}) });
  });
  return { held, took, skipped };
}

/**
 * Renews the held leases (not those in `lost`) in one `_bulk` of partial updates with if_seq_no/if_primary_term:
 * until = now + ttl. A lease whose renewal is refused (another holder took it) is added to `lost`.
 */
export async function renewLeases(client: StateClient, index: string, held: HeldLeases['held'], lost: Set<string>, ttlMs: number, now = leaseNow()): Promise<void> {
  const names = [...held.keys()].filter((n) => !lost.has(n));
  if (!names.length) return;
  const ops: BulkOp[] = names.map((name) => {
    const lease = held.get(name)!;
    return { op: 'update', id: leaseDocId(name), doc: { until: now + ttlMs, updated_at: now }, seqNo: lease.seqNo, primaryTerm: lease.primaryTerm };
  });
  const results = await bulk(client, index, ops);
  results.forEach((result, i) => {
    const name = names[i]!;
    const lease = held.get(name)!;
    if (result.status < 300) held.set(name, { doc: { ...lease.doc, until: now + ttlMs, updated_at: now }, seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
    else lost.add(name);
  });
}

/** Gives the held leases (not those lost) back: released, until = now, each with if_seq_no/if_primary_term (in one `_bulk` with `also`). */
export async function releaseLeases(client: StateClient, index: string, held: HeldLeases['held'], lost: ReadonlySet<string>, now = leaseNow(), also: BulkOp[] = []): Promise<void> {
  const names = [...held.keys()].filter((n) => !lost.has(n));
  const ops: BulkOp[] = names.map((name) => ({ op: 'update', id: leaseDocId(name), doc: { released: true, until: now, updated_at: now }, seqNo: held.get(name)!.seqNo, primaryTerm: held.get(name)!.primaryTerm }));
  await bulk(client, index, [...ops, ...also]);
}

/** The renewal of a run's leases: a timer, and a lock that keeps a renewal and a commit's writes of lease documents apart. */
export interface Renewal {
  /** Stops the timer (at release). */
  stop(): void;
  /** The leases whose renewal or fenced write was refused, or that came too close to their end: nothing of theirs is written any more. */
  lost(): ReadonlySet<string>;
  /** Runs `work` while no renewal is under way (and none starts). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Renews now; only inside exclusive(). */
  renewNow(): Promise<void>;
  /** Marks a lease lost: its renewal or fenced write was `refused`, or it came `late` (too little time left to write safely). */
  lose(name: string, why: 'refused' | 'late'): void;
  /** Why a lease was lost. */
  whyLost(name: string): 'refused' | 'late' | undefined;
}

/**
 * Renews the held leases every `everyMs` (partition_lease / 3) with one `_bulk` while the run works; the timer does
 * not keep the process alive. A renewal that fails as a whole is left to the next tick (the commit renews first anyway).
 */
export function startRenewal(client: StateClient, index: string, held: HeldLeases['held'], ttlMs: number, everyMs: number): Renewal {
  const lost = new Set<string>();
  const why = new Map<string, 'refused' | 'late'>();
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };
  const renewNow = () => renewLeases(client, index, held, lost, ttlMs);
  const timer = setInterval(() => {
    if (!stopped && !client.failure) void exclusive(renewNow).catch(() => undefined);
  }, Math.max(1, everyMs));
  timer.unref();
  return {
    stop: () => ((stopped = true), clearInterval(timer)),
    lost: () => lost,
    exclusive,
    renewNow,
    lose: (name, reason) => {
      lost.add(name);
      if (!why.has(name)) why.set(name, reason);
    },
    whyLost: (name) => (lost.has(name) ? why.get(name) ?? 'refused' : undefined),
  };
}

/** The leases as `status` shows them. */
export function leaseRecords(leases: Map<string, LeaseRead | undefined>): LeaseRecord[] {
  const records: LeaseRecord[] = [];
  for (const [name, read] of leases) {
    if (!read) continue;
    const { holder, token, until, released, updated_at } = read.doc;
    records.push({ name, holder, token, until, released, updatedAt: updated_at });
  }
  return records;
}
