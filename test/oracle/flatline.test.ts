import assert from 'node:assert/strict';
import { test } from 'node:test';
import { m, minutes, replayBoth, run } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

test('oracle flatline: per key, a key going silent and coming back, a rate crossing the threshold from both sides, a brand-new key warming up: the same runs in both, but for events without the key', async () => {
  const T = uniqueBaseTime();
  const beat = (t: number, host: string) => ({ '@timestamp': new Date(T + t).toISOString(), host });
  const r = await replayBoth(world, {
    name: 'flatline-host',
    start: T,
    end: T + m(90),
    docs: [
      // web01: one event a minute, silent from 41m to 60m, then back: below 3 in (E-10m, E] from the run at 49m
      // until 3 are back in the run at 63m.
      ...minutes(0, 40).map((i) => beat(m(i, 30), 'web01')),
      ...minutes(60, 89).map((i) => beat(m(i, 30), 'web01')),
      // web02: three events, then silent for good: checked from a full timeframe after its first event (13m).
      beat(m(2, 10), 'web02'), beat(m(2, 20), 'web02'), beat(m(2, 40), 'web02'),
      // web03: starts at 20m15s; a rate around the threshold: 2, then 3, then 2, then 3+, then silent.
      beat(m(20, 15), 'web03'), beat(m(25, 15), 'web03'), beat(m(29, 15), 'web03'), beat(m(33, 15), 'web03'), beat(m(36, 15), 'web03'), beat(m(37, 15), 'web03'),
      // Three events without a host: ElastAlert2 watches them as the key "None" (from the end of that run, 4m: silent
      // from 14m on); alertcron gives them no key.
      ...[5, 15, 25].map((s) => ({ '@timestamp': new Date(T + m(3, s)).toISOString() })),
    ],
    elastalert: { type: 'flatline', threshold: 3, timeframe: { minutes: 10 }, query_key: 'host' },
    alertcron: { condition: { type: 'flatline', threshold: 3, timeframe: '10m' }, group_by: 'host' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  const expected = [
    ...minutes(49, 62).map((i) => run(T + m(i), 'web01')),
    ...minutes(13, 90).map((i) => run(T + m(i), 'web02')),
    ...[31, 32, 33, 36, ...minutes(44, 90)].map((i) => run(T + m(i), 'web03')),
  ].sort();
  assert.deepEqual(r.alertcron.runs, expected);
  assert.deepEqual(r.onlyElastalert, minutes(14, 90).map((i) => run(T + m(i), 'None')).sort());
  assert.deepEqual(r.onlyAlertcron, []);
});

test('oracle flatline: without a key, alertcron checks from the first run (the timeframe is read from the index) while ElastAlert2 waits a timeframe: the documented warm-up difference', async () => {
  const T = uniqueBaseTime();
  const r = await replayBoth(world, {
    name: 'flatline-all',
    start: T,
    end: T + m(30),
    docs: minutes(0, 20).map((i) => ({ '@timestamp': new Date(T + m(i, 30)).toISOString(), host: 'web01' })),
    elastalert: { type: 'flatline', threshold: 3, timeframe: { minutes: 10 } },
    alertcron: { condition: { type: 'flatline', threshold: 3, timeframe: '10m' } },
  });
  assert.deepEqual(r.elastalert.errors, []);
  // Both: below 3 once the events stop (the runs at 29m and 30m).
  assert.deepEqual(r.elastalert.runs, [run(T + m(29)), run(T + m(30))]);
  // alertcron also in its first two runs, when the timeframe held 1 and 2 events.
  assert.deepEqual(r.onlyAlertcron, [run(T + m(1)), run(T + m(2))]);
  assert.deepEqual(r.onlyElastalert, []);
});
