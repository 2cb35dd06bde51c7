// The chaos test's own checks must see what they look for: a token with two holders, a holder change without a
// new token, a gap, an overlap, a window evaluated twice, a chain that stops short.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeasePoller, windowBreaks } from './hosts.js';

const seen = (holder: string, token: number, released = false) => ({ at: 0, holder, token, released });

test('the lease history check finds a token with two holders and a new holder without a new token', () => {
  const poller = new LeasePoller('http://127.0.0.1:9', 'none', []);
  poller.leases.set('part:1', [seen('host-1@a/1/x', 1), seen('host-1@a/1/x', 1, true), seen('host-2@b/2/y', 2), seen('host-1@a/3/z', 3)]);
  assert.deepEqual(poller.violations(), [], 'a clean history');
  poller.leases.set('part:2', [seen('host-1@a/1/x', 4), seen('host-2@b/2/y', 4)]);
  poller.leases.set('part:3', [seen('host-1@a/1/x', 5), seen('host-2@b/2/y', 3)]);
  const found = poller.violations();
  assert.ok(found.some((v) => v.startsWith('part:2: token 4 held by host-1@a/1/x and by host-2@b/2/y')), found.join('\n'));
  assert.ok(found.some((v) => v.startsWith('part:3: host-2@b/2/y took it from host-1@a/1/x without raising the token')), found.join('\n'));
  assert.ok(found.some((v) => v.startsWith('part:3: the token went down')), found.join('\n'));
});

test('the window check finds gaps, overlaps, a window evaluated twice and a chain that does not cover the span', () => {
  const w = (from: number, to: number) => ({ from, to });
  assert.deepEqual(windowBreaks('a', [w(60_000, 120_000), w(0, 60_000), w(120_000, 180_000)], 0, 180_000), []);
  assert.match(windowBreaks('a', [w(0, 60_000), w(61_000, 120_000)], 0, 120_000).join(), /gap/);
  assert.match(windowBreaks('a', [w(0, 60_000), w(59_000, 120_000)], 0, 120_000).join(), /overlap/);
  assert.match(windowBreaks('a', [w(0, 60_000), w(0, 60_000)], 0, 60_000).join(), /overlap/);
  assert.match(windowBreaks('a', [w(1_000, 60_000)], 0, 60_000).join(), /first window starts/);
  assert.match(windowBreaks('a', [w(0, 60_000)], 0, 120_000).join(), /only up to/);
  assert.deepEqual(windowBreaks('a', [], 0, 1), ['a: never evaluated']);
});
