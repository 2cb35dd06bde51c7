import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findChange } from '../../src/rules/change.js';
import { checkProperty, fc } from '../support/property.js';
import { defaultResolution, effectiveResolution, slide } from '../../src/rules/frequency.js';
import { matchPercentage } from '../../src/rules/percentageMatch.js';
import { spikeDirection } from '../../src/rules/spike.js';
import * as keyModule from '../../src/rules/groupKey.js';
import type { FrequencyCondition, SpikeCondition } from '../../src/rules/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

test('frequency: the default resolution divides the timeframe; a long catch-up over many keys coarsens it within max_buckets', () => {
  assert.equal(defaultResolution(HOUR), MIN); // 1h / 60
  assert.equal(defaultResolution(10 * MIN), 10_000);
  assert.equal(defaultResolution(7_000), 1_400); // 7s: 60, 50 ... 6 do not divide it into whole ms of at least 1s; 5 does
  const condition: FrequencyCondition = { type: 'frequency', num_events: 5, timeframe: 10 * MIN, resolution: 10_000 };
  // A one-minute window: (10m + 1m) / 10s = 66 buckets per key, x 100 keys = 6,600: kept.
  assert.equal(effectiveResolution(condition, { from: 0, to: MIN }, 100), 10_000);
  // A 24h catch-up: (10m + 24h) / 10s = 8,700 buckets per key, x 100 keys: more than 60,000. The resolution grows by
  // a factor that keeps it dividing the timeframe until the buckets fit.
  // 60 steps per timeframe: 12, 10, 6 and 5 are too fine; 4 (2m30s) gives (580 + 2) x 100 = 58,200 buckets.
  assert.equal(effectiveResolution(condition, { from: 0, to: 24 * HOUR }, 100), 150_000);
  // Over budget even at r = timeframe (validate refuses such alerts): the coarsest, the timeframe itself.
  assert.equal(effectiveResolution(condition, { from: 0, to: 24 * HOUR }, 3000), 10 * MIN);
});

test('frequency: windows slide over the buckets, used-up events do not count twice, fires are counted', () => {
  const condition: FrequencyCondition = { type: 'frequency', num_events: 3, timeframe: 10 * MIN, resolution: MIN };
  const window = { from: 60 * MIN, to: 120 * MIN };
  // events: 3 at minutes 61..63, 3 at 90..92, 2 at 100, 1 at 105
  const counts = new Map([[61, 1], [62, 1], [63, 1], [90, 1], [91, 1], [92, 1], [100, 2], [105, 1]].map(([m, c]) => [m! * MIN, c!]));
  const result = slide(counts, condition, window, MIN, undefined);
  // fires at 64 (61..63), at 93 (90..92), at 106 (100 x2 + 105 = 3 after the fire at 93)
  assert.deepEqual(result, { fires: 3, at: 106 * MIN, count: 3, start: 96 * MIN });
  // A fire remembered at minute 95 (an earlier run): every event before it is used up; only 100 x2 + 105 count.
  assert.deepEqual(slide(counts, condition, window, MIN, 95 * MIN), { fires: 1, at: 106 * MIN, count: 3, start: 96 * MIN });
});

test('spike: directions, thresholds, zero on both sides and averages of zero', () => {
  const c: SpikeCondition = { type: 'spike', timeframe: MIN, spike_height: 3, spike_type: 'both', threshold_cur: 0, threshold_ref: 0, alert_on_new_data: false };
  assert.equal(spikeDirection(c, 9, 3), 'up');
  assert.equal(spikeDirection(c, 8, 3), undefined);
  assert.equal(spikeDirection(c, 1, 3), 'down');
  assert.equal(spikeDirection(c, 4, 0), 'up', 'ElastAlert2: any current over a zero reference is up');
  assert.equal(spikeDirection(c, 0, 0), undefined);
  assert.equal(spikeDirection({ ...c, threshold_ref: 1 }, 4, 0), undefined);
  assert.equal(spikeDirection({ ...c, threshold_cur: 10 }, 9, 3), undefined);
  assert.equal(spikeDirection({ ...c, spike_type: 'up' }, 1, 3), undefined);
  assert.equal(spikeDirection({ ...c, field_value: 'ms' }, 0, 100), undefined, 'an average of 0 is no spike');
  assert.equal(spikeDirection({ ...c, field_value: 'ms' }, null, 100), undefined);
});

test('change: each event against the key\'s previous one, news in the window only, and the timeframe', () => {
  const w = { from: 100, to: 200 };
  const e = (value: string, at: number) => ({ value, at });
  // A then B, B in the window: a change at B's first event, from A's last.
  assert.deepEqual(findChange([e('A', 10), e('A', 90), e('B', 150), e('B', 190)], undefined, w, undefined), { old: e('A', 90), new: e('B', 150) });
  // The change happened before the window: already reported by an earlier run.
  assert.equal(findChange([e('A', 40), e('B', 50), e('B', 190)], e('A', 10), w, undefined), undefined);
  // Nothing known before the window's only value: nothing to compare with.
  assert.equal(findChange([e('B', 120), e('B', 130)], undefined, w, undefined), undefined);
  // Remembered A, only B in the search: a change since the last run.
  assert.deepEqual(findChange([e('B', 120), e('B', 130)], e('A', 60), w, undefined)?.old, e('A', 60));
  // A remembered, then B and A again inside the window (A B A): the latest change, B -> A, at A's return.
  assert.deepEqual(findChange([e('B', 120), e('B', 150), e('A', 180)], e('A', 99), w, undefined), { old: e('B', 150), new: e('A', 180) });
  // Timeframe: A last seen 80 before B: 80 > 50 no, 80 <= 100 yes, 80 <= 80 yes (ElastAlert2 compares with <=).
  assert.equal(findChange([e('A', 90), e('B', 170)], undefined, w, 50), undefined);
  assert.ok(findChange([e('A', 90), e('B', 170)], undefined, w, 100));
  assert.ok(findChange([e('A', 90), e('B', 170)], undefined, w, 80));
  // The gap is to the key's previous event, whatever its value: A, B 15 later, A again 70 after B: no change back.
  assert.deepEqual(findChange([e('A', 100), e('B', 115), e('A', 185)], undefined, w, 60), { old: e('A', 100), new: e('B', 115) });
  assert.equal(findChange([e('A', 100), e('B', 115), e('A', 185)], undefined, { from: 120, to: 200 }, 60), undefined);
  // No event of the key in the window: nothing.
  assert.equal(findChange([e('B', 10), e('B', 90)], e('A', 5), w, undefined), undefined);
});

test('percentage_match: nothing to judge without events or below min_denominator', () => {
  assert.equal(matchPercentage(0, 0, 0), undefined);
  assert.equal(matchPercentage(2, 2, 5), undefined);
  assert.equal(matchPercentage(1, 3, 4), 25);
});

test('compound keys: values holding the separator never make the same key; plain values read as before', () => {
  const { bucketKey } = keyModule;
  assert.equal(bucketKey({ key: ['web01', 'alice'] }), 'web01, alice');
  const left = bucketKey({ key: ['a, b', 'c'] });
  const right = bucketKey({ key: ['a', 'b, c'] });
  assert.notEqual(left, right);
  assert.equal(left, 'a\\, b, c');
  assert.equal(right, 'a, b\\, c');
  // A backslash inside a value is escaped too, so a value ending in one cannot swallow the separator's escape.
  assert.notEqual(bucketKey({ key: ['a\\', 'b'] }), bucketKey({ key: ['a\\, b'] }));
  assert.equal(bucketKey({ key: 'single, value' }), 'single, value');
});

test('rule state is capped: the least recently seen keys are forgotten, with a warning saying so', async () => {
  const { capKeys } = await import('../../src/rules/keyMemory.js');
  const keys: Record<string, [number, number]> = { a: [1, 30], b: [2, 10], c: [3, 20], d: [4, 40] };
  assert.equal(capKeys(keys, ([, last]) => last, 'x', 4), undefined);
  const warning = capKeys(keys, ([, last]) => last, 'they warm up again', 2);
  assert.deepEqual(Object.keys(keys).sort(), ['a', 'd']);
  assert.equal(warning, '2 key(s) beyond the 2 remembered were forgotten (the least recently seen): they warm up again');
});

test('property: findChange gives the latest change in the window that ElastAlert2 reports, event by event', async () => {
  const sequence = fc.uniqueArray(fc.record({ at: fc.integer({ min: 0, max: 400 }), value: fc.constantFrom('A', 'B', 'C') }), { maxLength: 30, selector: (e) => e.at });
  await checkProperty(
    'findChange matches ElastAlert2',
    fc.property(sequence, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 200 }), fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }), (raw, from, width, timeframe) => {
      const events = [...raw].sort((a, b) => a.at - b.at);
      const window = { from, to: from + width };
      // ElastAlert2's ChangeRule.compare over the whole sequence: the changing events and the event before each.
      let latest: { old: (typeof events)[0]; new: (typeof events)[0] } | undefined;
      for (let i = 1; i < events.length; i++) {
        const [previous, current] = [events[i - 1]!, events[i]!];
        const changed = previous.value !== current.value && (timeframe === undefined || current.at - previous.at <= timeframe);
        if (changed && current.at >= window.from && current.at < window.to) latest = { old: previous, new: current };
      }
      // What a run gets: the events of its span, and the one just before them.
      const spanFrom = window.from - (timeframe ?? 0);
      const inSpan = events.filter((e) => e.at >= spanFrom && e.at < window.to);
      const before = events.filter((e) => e.at < spanFrom).pop();
      assert.deepEqual(findChange(inSpan, before, window, timeframe), latest);
    }),
    500,
  );
});
