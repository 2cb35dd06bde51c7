import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextBackoff } from '../../src/policy/backoff.js';
import { decide } from '../../src/policy/decide.js';
import { checkProperty, fc } from '../support/property.js';

const MIN = 60_000;

test('nextBackoff: notices at the end of each wait double it (base, 2x, 4x ...) up to the cap, and it stays there', async () => {
  await checkProperty('backoff doubles up to the cap', fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 20 }), (baseMin, capMin, steps) => {
    const base = baseMin * MIN;
    const cap = capMin * MIN;
    let now = 0;
    let b = nextBackoff(undefined, 0, now, base, cap);
    const waits = [b.wait];
    for (let i = 0; i < steps; i++) {
      const until = now + b.wait;
      now = until; // told again as soon as the wait ends: it keeps firing
      b = nextBackoff(until, b.exponent, now, base, cap);
      waits.push(b.wait);
    }
    waits.forEach((wait, i) => assert.equal(wait, Math.min(base * 2 ** i, cap), `wait ${i} of ${JSON.stringify(waits)}`));
  }), 300);
});

test('nextBackoff: the wait is between the base and the cap, a power of two of the base below the cap, and back to the base after a long enough quiet span', async () => {
  await checkProperty('backoff bounds and reset', fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: -100, max: 100_000 }), (baseMin, capMin, kept, gapMin) => {
    const base = baseMin * MIN;
    const cap = Math.max(capMin * MIN, base);
    // An exponent above the one whose wait reaches the cap is never kept (one in a damaged state counts as that one).
    const exponent = Math.min(kept, Math.ceil(Math.log2(cap / base)));
    const lastUntil = 10_000 * MIN;
    const b = nextBackoff(lastUntil, exponent, lastUntil + gapMin * MIN, base, cap);
    assert.ok(b.wait >= base && b.wait <= cap, `wait ${b.wait}`);
    assert.ok(b.exponent >= 0);
    if (b.wait < cap) assert.equal(b.wait, base * 2 ** b.exponent);
    // Quiet for longer than every wait up to this exponent together: halved back down to the base.
    if (gapMin * MIN > base * (2 ** (exponent + 1) - 1)) assert.equal(b.wait, base);
    // Told again before the previous wait ran out once more: never shorter than that wait (it keeps firing).
    if (gapMin * MIN < base * 2 ** exponent && gapMin >= 0) assert.ok(b.wait >= Math.min(base * 2 ** exponent, cap));
  }), 500);
});

test('decide with a cap: the key\'s own throttle decides, a resolved key starts again from the base, and no cap leaves the fixed throttle', () => {
  const key = { firstSeen: 0, lastSeen: 0, fired: 3, delivered: {}, lastFired: 10 * MIN, throttle: 4 * MIN, exponent: 2 };
  assert.deepEqual(decide(key, MIN, 12 * MIN, undefined, 60 * MIN), { notify: false, reason: 'throttled', nextAt: 14 * MIN });
  assert.deepEqual(decide(key, MIN, 14 * MIN, undefined, 60 * MIN), { notify: true, reason: 'repeat', nextAt: 22 * MIN, backoff: { throttle: 8 * MIN, exponent: 3 } });
  assert.deepEqual(decide({ ...key, resolvedAt: 11 * MIN }, MIN, 12 * MIN, undefined, 60 * MIN), { notify: true, reason: 'first', nextAt: 13 * MIN, backoff: { throttle: MIN, exponent: 0 } });
  assert.deepEqual(decide(key, MIN, 12 * MIN), { notify: true, reason: 'repeat', nextAt: 13 * MIN });
  assert.deepEqual(decide(undefined, MIN, 12 * MIN, undefined, 60 * MIN), { notify: true, reason: 'first', nextAt: 13 * MIN, backoff: { throttle: MIN, exponent: 0 } });
});

test('nextBackoff: a zero throttle stays fixed (nothing to double), whatever exponent a state holds', () => {
  assert.deepEqual(nextBackoff(undefined, 0, 0, 0, 10 * MIN), { wait: 0, exponent: 0 });
  assert.deepEqual(nextBackoff(0, 5000, 1000, 0, 10 * MIN), { wait: 0, exponent: 0 });
});

test('currentThrottle: a firing key\'s own throttle from the state is held between the alert\'s throttle and the cap', async () => {
  const { currentThrottle } = await import('../../src/policy/decide.js');
  const firing = (throttle: number) => ({ lastFired: 0, throttle, exponent: 1 }) as Parameters<typeof currentThrottle>[0];
  assert.equal(currentThrottle(firing(0), 5 * MIN, 60 * MIN), 5 * MIN, 'a damaged 0 does not let the key repeat before its throttle');
  assert.equal(currentThrottle(firing(2 * MIN), 5 * MIN, 60 * MIN), 5 * MIN, 'nor one from before the throttle was raised');
  assert.equal(currentThrottle(firing(1e300), 5 * MIN, 60 * MIN), 60 * MIN);
  assert.equal(currentThrottle(firing(20 * MIN), 5 * MIN, 60 * MIN), 20 * MIN);
  assert.equal(currentThrottle(firing(20 * MIN), 90 * MIN, 60 * MIN), 60 * MIN, 'a cap below the throttle caps it');
});
