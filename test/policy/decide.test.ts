import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide } from '../../src/policy/decide.js';
import type { KeyState } from '../../src/model/state.js';

const MIN = 60_000;
const key = (lastFired?: number): KeyState => ({ firstSeen: 0, lastSeen: 0, lastFired, fired: lastFired === undefined ? 0 : 1, delivered: {} });

test('decide: one row per situation', () => {
  const rows: [string, KeyState | undefined, number | 'once', number, string, boolean, number | undefined][] = [
    ['unknown key fires', undefined, 30 * MIN, 100 * MIN, 'first', true, 130 * MIN],
    ['seen but never fired fires', key(undefined), 30 * MIN, 100 * MIN, 'first', true, 130 * MIN],
    ['inside the throttle is throttled', key(90 * MIN), 30 * MIN, 100 * MIN, 'throttled', false, 120 * MIN],
    ['exactly at the end of the throttle repeats', key(70 * MIN), 30 * MIN, 100 * MIN, 'repeat', true, 130 * MIN],
    ['after the throttle repeats', key(10 * MIN), 30 * MIN, 100 * MIN, 'repeat', true, 130 * MIN],
    ['once: first time fires', undefined, 'once', 100 * MIN, 'first', true, undefined],
    ['once: never again', key(1 * MIN), 'once', 10_000 * MIN, 'once', false, undefined],
    ['throttle 0s: every match fires', key(100 * MIN), 0, 100 * MIN, 'repeat', true, 100 * MIN],
    ['resolved and back inside the throttle stays quiet', { ...key(90 * MIN), resolvedAt: 92 * MIN }, 30 * MIN, 100 * MIN, 'throttled', false, 120 * MIN],
    ['resolved and back after the throttle is a new first', { ...key(60 * MIN), resolvedAt: 62 * MIN }, 30 * MIN, 100 * MIN, 'first', true, 130 * MIN],
    ['once: resolved and back is a new occurrence', { ...key(1 * MIN), resolvedAt: 2 * MIN }, 'once', 100 * MIN, 'first', true, undefined],
  ];
  for (const [name, state, throttle, now, reason, notify, nextAt] of rows) {
    assert.deepEqual(decide(state, throttle, now), { reason, notify, nextAt }, name);
  }
  const silence = { id: 's1', alert: 'a', createdAt: 0, endsAt: 200 * MIN, comment: 'maintenance', author: 'ops' };
  assert.deepEqual(decide(undefined, 30 * MIN, 100 * MIN, silence), { notify: false, reason: 'silenced', nextAt: 200 * MIN }, 'a silence wins over a first notification');
  const acked = { ...key(10 * MIN), acknowledged: { at: 20 * MIN, by: 'ops' } };
  assert.deepEqual(decide(acked, 30 * MIN, 100 * MIN), { notify: false, reason: 'acknowledged', nextAt: undefined }, 'an acknowledged key does not repeat');
});
