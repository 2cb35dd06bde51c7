import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newLeaseDocument, takeReason, type Grace, type LeaseDocument } from '../../src/state/cluster/partitionLeases.js';

// Who takes a lease: its owner when it is free, anyone when its holder's time ran out without releasing it (a
// takeover), and anyone when it stayed released or absent longer than host_ttl while its live assignee left it (grace).

const NOW = 1_800_000_000_000;
const SKEW = 10_000;
const TTL = 90_000;
const grace = (startedAt: Record<string, number> = {}): Grace => ({ hostTtlMs: TTL, startedAt: new Map(Object.entries(startedAt)) });

/** Lease 5 held by `holder` until `until`, released or not, last written at `updatedAt`. */
function lease(holder: string, until: number, released: boolean, updatedAt = until): LeaseDocument {
  return { ...newLeaseDocument('5', holder, 0, 0), until, released, updated_at: updatedAt };
}

test('takeReason: a lease released longer than host_ttl + skew ago, or absent that long since its live assignee began, is taken by any host (grace)', () => {
  const me = 'host-1';
  const holder = 'host-1@i1/1/r';
  // Released by its live owner host-2 at its last run, a minute ago: left for host-2.
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - 60_000, true), 'host-2', me, holder, NOW, SKEW, grace()), undefined);
  // Released exactly host_ttl + skew ago: still left; a millisecond more: taken.
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - TTL - SKEW, true), 'host-2', me, holder, NOW, SKEW, grace()), undefined);
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - TTL - SKEW - 1, true), 'host-2', me, holder, NOW, SKEW, grace()), 'grace');
  // Judged by updated_at (the release), not only by until.
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - 10 * 60_000, true, NOW - 1_000), 'host-2', me, holder, NOW, SKEW, grace()), undefined);
  // Absent: judged from its assignee's first heartbeat.
  assert.equal(takeReason(undefined, 'host-2', me, holder, NOW, SKEW, grace({ 'host-2': NOW - 30_000 })), undefined, 'host-2 just began');
  assert.equal(takeReason(undefined, 'host-2', me, holder, NOW, SKEW, grace({ 'host-2': NOW - 3_600_000 })), 'grace', 'host-2 has run for an hour without taking it');
  assert.equal(takeReason(undefined, 'host-2', me, holder, NOW, SKEW, grace()), undefined, 'no heartbeat of the assignee: no time to judge by');
  // Without grace (callers that do not give it), as before: a released lease of another host is never taken.
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - 3_600_000, true), 'host-2', me, holder, NOW, SKEW), undefined);
  // A held lease whose time has not run out stays with its holder, however long ago it was taken.
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW + 5_000, false, NOW - 3_600_000), 'host-2', me, holder, NOW, SKEW, grace()), undefined);
  // The rules before the grace rule are unchanged.
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - SKEW - 1, false), 'host-2', me, holder, NOW, SKEW, grace()), 'takeover');
  assert.equal(takeReason(lease('host-2@i2/1/r', NOW - 1_000, true), me, me, holder, NOW, SKEW, grace()), 'assigned');
  assert.equal(takeReason(undefined, me, me, holder, NOW, SKEW, grace()), 'assigned');
});
