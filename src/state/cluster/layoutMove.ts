import type { StateConfig } from '../../model/config.js';
import { leaseNow } from '../../util/clock.js';
import { ExitCode, UserError } from '../../util/errors.js';
import type { StateClient } from './client.js';
import { bulk, type BulkOp } from './bulk.js';
import { acquireLayoutLease, acquireLease, MOVED_PREFIX, movedError, PARTITIONED_PREFIX, runLeaseState, shownHolder, updateMapping, writeLease, type HeldLease, type LeaseDoc } from './lease.js';
import { leaseDocId, newLeaseDocument, readLeases, releaseLeases, type LeaseDocument, type LeaseRead } from './partitionLeases.js';

/** How often `state migrate` looks again whether a partition lease is still live. */
const POLL_MS = 500;

/**
 * Step 1 of every run and command: reads `lease:run`. The state moved to a file: StateMovedError. The partitioned
 * layout's marker: nothing to do (undefined). Otherwise (today's layout, or a new state): takes `lease:run` as
 * today (waiting up to `waitMs` for an older alertcron's run), adds the new fields to the mapping, and returns the
 * lease: the caller moves the layout under it and leaves the marker (see ClusterStateStore).
 */
export async function layoutLease(client: StateClient, config: StateConfig, holder: string, waitMs: number): Promise<HeldLease | undefined> {
  const run = await runLeaseState(client, config.index);
  if (run.state === 'moved') throw movedError(config.index, run.lease!.doc.holder);
  if (run.state === 'partitioned') return undefined;
  // Another host may make the move while this one waits: its marker means the move is done.
  const lease = await acquireLayoutLease(client, config.index, holder, config.lease_ttl, waitMs);
  if (!lease) return undefined;
  await updateMapping(client, config.index);
  return lease;
}

/**
 * For `state migrate`: takes `lease:run` (also from the marker of a move), then every partition lease (`part:*`),
 * each with if_seq_no/if_primary_term and its fencing token raised, held by the migration (for lease_ttl) until it
 * gives them back (giveBackMigration): a run that began before finds its renewal and its fenced commit refused, and
 * one that begins now finds `lease:run` held and waits. A live lease is waited for up to lock_wait; when one is
 * still live then (or anything fails), what was taken is given back and `lease:run` is left as it was found.
 */
export async function migrationLease(client: StateClient, config: StateConfig, holder: string, waitMs: number): Promise<HeldLease> {
  const before = await runLeaseState(client, config.index);
  const lease = await acquireLease(client, config.index, holder, config.lease_ttl, waitMs, true);
  const taken: LeaseHeld = new Map();
  try {
    await updateMapping(client, config.index);
    await takeEveryPartition(client, config, holder, taken);
    return lease;
  } catch (error) {
    await releaseLeases(client, config.index, taken, new Set(), leaseNow()).catch(() => undefined);
    const previous = before.lease?.doc;
    const marker = previous && (previous.holder.startsWith(PARTITIONED_PREFIX) || previous.holder.startsWith(MOVED_PREFIX));
    const now = Date.now();
    const doc: LeaseDoc = marker ? { ...lease.doc, holder: previous.holder, until: previous.until, released: false, token: lease.doc.token + 1, updated_at: now } : { ...lease.doc, released: true, until: now, updated_at: now };
    await writeLease(client, config.index, doc, lease).catch(() => undefined);
    throw error;
  }
}

type LeaseHeld = Map<string, LeaseRead>;

/** Takes every partition lease for the migration (see migrationLease), retrying on a conflict; `taken` fills as they are held. */
async function takeEveryPartition(client: StateClient, config: StateConfig, holder: string, taken: LeaseHeld): Promise<void> {
  const giveUpAt = Date.now() + config.lock_wait;
  for (;;) {
    const leases = await readLeases(client, config.index);
    const now = leaseNow();
    const ops: BulkOp[] = [];
    const wanted: { name: string; doc: LeaseDocument }[] = [];
    const live: [string, LeaseRead][] = [];
    for (const [name, read] of leases) {
      if (read?.doc.holder === holder) continue;
      // A holder of this very deployment (host@instance) is over: this migration holds the host's local lock (an
      // earlier migration's hold, left after a move to a file, is taken back at once).
      const ours = read?.doc.holder.split('/')[0] === holder.split('/')[0];
      if (read && !read.doc.released && !ours && read.doc.until + config.max_clock_skew >= now) {
        live.push([name, read]);
        continue;
      }
      // As long as lease:run (lease_ttl): a migration killed midway holds nothing for ever. The fence itself is the new
      // sequence number and token: a run that held the lease before can no longer renew or write it.
      const change = { holder, token: (read?.doc.token ?? 0) + 1, until: now + config.lease_ttl, released: false, updated_at: now };
      if (read) ops.push({ op: 'update', id: leaseDocId(name), doc: change, seqNo: read.seqNo, primaryTerm: read.primaryTerm });
      else ops.push({ op: 'create', id: leaseDocId(name), doc: { ...newLeaseDocument(name, holder, now, 0), ...change } });
      wanted.push({ name, doc: { ...(read?.doc ?? newLeaseDocument(name, holder, now, 0)), ...change } });
    }
    const results = await bulk(client, config.index, ops);
    const refused = results.filter((result, i) => {
      if (result.status < 300) taken.set(wanted[i]!.name, { doc: wanted[i]!.doc, seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
      else if (result.status !== 409) throw new UserError(`the state cluster refused taking ${result.id} for the migration: ${result.error ?? `HTTP ${result.status}`}; nothing was moved`, ExitCode.sourceFailed);
      return result.status >= 300;
    });
    if (!live.length && !refused.length) return;
    if (Date.now() + POLL_MS > giveUpAt) {
      const [name, read] = live[0] ?? [refused[0]!.id.slice('part:'.length), leases.get(refused[0]!.id.slice('part:'.length))];
      const by = read ? ` by ${shownHolder(read.doc.holder)} until ${new Date(read.doc.until).toISOString()}` : '';
      throw new UserError(`${live.length + refused.length} partition leases of ${config.index} are still held by running hosts (first: ${name}${by}); waited ${Math.round(config.lock_wait / 1000)}s (state.lock_wait): run state migrate again once they finished`, ExitCode.lockHeld);
    }
    if (live.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Gives back the partition leases a migration holds (read as `parts`, held by `holder`): released, each with if_seq_no/if_primary_term. */
export async function giveBackMigration(client: StateClient, index: string, holder: string, parts: Map<string, LeaseRead | undefined>): Promise<void> {
  const held: LeaseHeld = new Map();
  for (const [name, read] of parts) if (read && read.doc.holder === holder) held.set(name, read);
  await releaseLeases(client, index, held, new Set(), leaseNow());
}
