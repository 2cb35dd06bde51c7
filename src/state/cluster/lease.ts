import { ExitCode, UserError } from '../../util/errors.js';
import { StateMovedError } from '../store.js';
import { STATE_INDEX_BODY } from './docs.js';
import type { StateClient } from './client.js';

/** The id of the run lease: whoever holds it runs the alerts this minute and may write the state. */
export const LEASE_ID = 'lease:run';

/** The lease as stored. */
export interface LeaseDoc {
  kind: 'lease';
  id: string;
  holder: string;
  token: number;
  until: number;
  released: boolean;
  updated_at: number;
  pruned_at?: number;
}

/** A lease this run holds: its document, and the sequence number and primary term its next write must match. */
export interface HeldLease {
  doc: LeaseDoc;
  seqNo: number;
  primaryTerm: number;
}

/** The holder `state migrate --to file` leaves in the lease: hosts still configured for the cluster stop, and say why. */
export const MOVED_PREFIX = 'moved-to-file-by-';

/**
 * The holder the first run of the partitioned layout leaves in `lease:run` (held for ever): an older alertcron,
 * which knows only the one run lease, waits for it and exits 5 instead of running beside the hosts that share the
 * partitions. Only `state migrate` takes it.
 */
export const PARTITIONED_PREFIX = 'partitioned-by-';

/** The `until` of a lease held for ever (the largest time a Date holds). */
export const FOREVER = 8.64e15;

/** How often a run waiting for the lease looks again. */
const POLL_MS = 500;

/**
 * Takes the lease, waiting up to `waitMs` while another live holder has it: created when absent (create-only), else
 * taken over when released or expired, with if_seq_no/if_primary_term so that of two hosts trying at once exactly
 * one succeeds. Each taking raises the fencing token. Creates the state index on first use. `holder` is
 * `host@instance/pid/run` (a holder with the same `host@instance` is a dead run of this deployment); the caller holds this host's local lock.
 */
export async function acquireLease(client: StateClient, index: string, holder: string, ttlMs: number, waitMs: number, takeOverMoved = false): Promise<HeldLease> {
  return (await acquire(client, index, holder, ttlMs, waitMs, takeOverMoved, false))!;
}

/**
 * As acquireLease for the layout move: undefined as soon as `lease:run` holds the partitioned layout's marker (another
 * host made the move while this one waited: nothing is left to move).
 */
export async function acquireLayoutLease(client: StateClient, index: string, holder: string, ttlMs: number, waitMs: number): Promise<HeldLease | undefined> {
  return acquire(client, index, holder, ttlMs, waitMs, false, true);
}

/** A holder read from the cluster as an error message shows it: as it is when plain, else quoted (no control character reaches a terminal or a log raw). */
export function shownHolder(holder: unknown): string {
  const text = String(holder);
  return /^[\w@./:+-]+$/.test(text) ? text : JSON.stringify(text);
}

async function acquire(client: StateClient, index: string, holder: string, ttlMs: number, waitMs: number, takeOverMoved: boolean, untilPartitioned: boolean): Promise<HeldLease | undefined> {
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    const got = await getLease(client, index);
    const now = Date.now();
    if (got.status === 404) {
      if (got.body?.error?.type === 'index_not_found_exception') await createIndex(client, index);
      const doc: LeaseDoc = { kind: 'lease', id: LEASE_ID, holder, token: 1, until: now + ttlMs, released: false, updated_at: now };
      const created = await client.send('PUT', `/${index}/_create/${LEASE_ID}`, doc, { write: true });
      if (created.status < 300) return { doc, seqNo: created.body._seq_no, primaryTerm: created.body._primary_term };
    } else {
      const current = got.body?._source as LeaseDoc | undefined;
      // A lease found without its document (a proxy's answer, a cut body) is no lease to judge: the cluster failed.
      if (!current || typeof current !== 'object' || typeof current.holder !== 'string') throw client.failed(`GET /${index}/_doc/${LEASE_ID} answered HTTP ${got.status} without the lease document`);
      // `state migrate` takes the lease from the marker of a move (either way) as from a released lease.
      const moved = current.holder.startsWith(MOVED_PREFIX) || (takeOverMoved && current.holder.startsWith(PARTITIONED_PREFIX));
      if (moved && !takeOverMoved) {
        throw movedError(index, current.holder);
      }
      if (untilPartitioned && current.holder.startsWith(PARTITIONED_PREFIX)) return undefined;
      // Released, expired, or left by a killed run of this host (the caller holds the host's lock, so that run is over).
      const ownHost = current.holder.split('/')[0] === holder.split('/')[0];
      if (current.released || current.until < now || ownHost || moved) {
        const doc: LeaseDoc = { ...current, holder, token: current.token + 1, until: now + ttlMs, released: false, updated_at: now };
        const taken = await writeLease(client, index, doc, { seqNo: got.body._seq_no, primaryTerm: got.body._primary_term });
        if (taken) return taken;
      } else if (now + POLL_MS > giveUpAt) {
        throw new UserError(`another alertcron run (${shownHolder(current.holder)}) holds the state lease in ${index} until ${new Date(current.until).toISOString()}; this run waited ${Math.round(waitMs / 1000)}s (state.lock_wait, at most half the time left before run.deadline) and did nothing`, ExitCode.lockHeld);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * What `lease:run` says about the layout: `absent` (no index, or no lease: a new state), `moved` (the state moved
 * to a file), `partitioned` (the partitioned layout, its marker) or `legacy` (today's run lease: the layout move is
 * due). The GET is realtime.
 */
export async function runLeaseState(client: StateClient, index: string): Promise<{ state: 'absent' | 'moved' | 'partitioned' | 'legacy'; indexMissing: boolean; lease?: HeldLease }> {
  const got = await getLease(client, index);
  if (got.status === 404) return { state: 'absent', indexMissing: got.body?.error?.type === 'index_not_found_exception' };
  const current = got.body?._source as LeaseDoc | undefined;
  if (!current || typeof current !== 'object' || typeof current.holder !== 'string') throw client.failed(`GET /${index}/_doc/${LEASE_ID} answered HTTP ${got.status} without the lease document`);
  const lease = { doc: current, seqNo: got.body._seq_no, primaryTerm: got.body._primary_term };
  if (current.holder.startsWith(MOVED_PREFIX)) return { state: 'moved', indexMissing: false, lease };
  return { state: current.holder.startsWith(PARTITIONED_PREFIX) ? 'partitioned' : 'legacy', indexMissing: false, lease };
}

/** The error of a host configured for the cluster whose state was moved to a file. */
export function movedError(index: string, holder: string): StateMovedError {
  return new StateMovedError(`the state was moved from the cluster index ${index} to a file (${holder}): this host still has state.backend: cluster; run alertcron state migrate --to cluster on the host that holds it, or switch this host off`);
}

/**
 * Leaves `lease:run` held for ever by the partitioned layout's marker (create-only when absent, else over `held`):
 * false when another host wrote it first (it made the same move).
 */
export async function markPartitioned(client: StateClient, index: string, hostId: string, held: HeldLease | undefined): Promise<boolean> {
  const now = Date.now();
  const doc: LeaseDoc = { kind: 'lease', id: LEASE_ID, holder: `${PARTITIONED_PREFIX}${hostId}`, token: (held?.doc.token ?? 0) + 1, until: FOREVER, released: false, updated_at: now };
  if (held) return (await writeLease(client, index, doc, held)) !== undefined;
  const created = await client.send('PUT', `/${index}/_create/${LEASE_ID}`, doc, { write: true });
  return created.status < 300;
}

/** Writes the lease if nobody wrote it since `held` (if_seq_no/if_primary_term); undefined when another did. */
export async function writeLease(client: StateClient, index: string, doc: LeaseDoc, held: { seqNo: number; primaryTerm: number }): Promise<HeldLease | undefined> {
  const answer = await client.send('PUT', `/${index}/_doc/${LEASE_ID}?if_seq_no=${held.seqNo}&if_primary_term=${held.primaryTerm}`, doc, { write: true });
  if (answer.status === 409) return undefined;
  return { doc, seqNo: answer.body._seq_no, primaryTerm: answer.body._primary_term };
}

/** Creates the state index with its mapping (one primary, a replica when the cluster has a second node); another host creating it first is fine. */
export async function createIndex(client: StateClient, index: string): Promise<void> {
  try {
    await client.send('PUT', `/${index}`, STATE_INDEX_BODY, { write: true });
  } catch (error) {
    if (!/resource_already_exists|already exists/.test((error as Error).message)) throw error;
  }
}

/** Gets the lease; a 503 while another host is creating the index (its shard not yet started) is waited out briefly. */
async function getLease(client: StateClient, index: string) {
  const giveUpAt = Date.now() + STARTING_SHARD_WAIT_MS;
  for (;;) {
    try {
      return await client.send('GET', `/${index}/_doc/${LEASE_ID}`);
    } catch (error) {
      if (!/HTTP 503/.test((error as Error).message) || Date.now() > giveUpAt) throw error;
      await client.send('GET', `/_cluster/health/${index}?wait_for_status=yellow&timeout=5s`).catch(() => undefined);
    }
  }
}

/** How long a state index that is being created (its shard starting) is waited for. */
const STARTING_SHARD_WAIT_MS = 10_000;

/** Adds the partitioned layout's fields to the strict mapping of a state index an older version made (at the layout move and a migration). */
export async function updateMapping(client: StateClient, index: string): Promise<void> {
  const { partition, last_seen } = STATE_INDEX_BODY.mappings.properties;
  await client.send('PUT', `/${index}/_mapping`, { properties: { partition, last_seen } }, { write: true });
}
