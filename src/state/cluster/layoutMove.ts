import type { StateConfig } from '../../model/config.js';
import { leaseNow } from '../../util/clock.js';
import { ExitCode, UserError } from '../../util/errors.js';
import type { StateClient } from './client.js';
import { acquireLease, movedError, runLeaseState, updateMapping, type HeldLease } from './lease.js';
import { readLeases } from './partitionLeases.js';

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
  const lease = await acquireLease(client, config.index, holder, config.lease_ttl, waitMs);
  await updateMapping(client, config.index);
  return lease;
}

/**
 * For `state migrate`: takes `lease:run` (also from the marker of a move), then waits up to lock_wait until no
 * partition lease is live (released, or run out by more than max_clock_skew): the runs that began before are over,
 * and the ones that begin now find `lease:run` held and wait.
 */
export async function migrationLease(client: StateClient, config: StateConfig, holder: string, waitMs: number): Promise<HeldLease> {
  const lease = await acquireLease(client, config.index, holder, config.lease_ttl, waitMs, true);
  await updateMapping(client, config.index);
  const giveUpAt = Date.now() + config.lock_wait;
  for (;;) {
    const leases = await readLeases(client, config.index);
    const now = leaseNow();
    const live = [...leases].filter(([, read]) => read && !read.doc.released && read.doc.until + config.max_clock_skew >= now);
    if (!live.length) return lease;
    if (Date.now() + POLL_MS > giveUpAt) {
      const [name, read] = live[0]!;
      throw new UserError(`${live.length} partition leases of ${config.index} are still held by running hosts (first: ${name}, by ${read!.doc.holder} until ${new Date(read!.doc.until).toISOString()}); waited ${Math.round(config.lock_wait / 1000)}s (state.lock_wait): run state migrate again once they finished`, ExitCode.lockHeld);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
