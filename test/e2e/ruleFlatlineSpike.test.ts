import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

test('flatline: per key seen within key_history, fewer than threshold events in the timeframe; and over all events', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('flatline');
  const beat = (at: number, host: string) => event(at, { 'host.name': host });
  await indexDocs(world.esUrl, index, [
    beat(T0 - 50 * MIN, 'web01'), beat(T0 - 3 * MIN, 'web01'), // active: 1 event in [T0-10m, T0)
    beat(T0 - 40 * MIN, 'web02'), beat(T0 - 30 * MIN, 'web02'), // silent for 30 minutes
    beat(T0 - 2 * 60 * MIN, 'web03'), // last seen 2h ago: beyond timeframe + key_history (1h10m), not watched
    beat(T0 + 15 * MIN, 'web02'), // web02 comes back before run 2
  ]);
  const project = world.project();
  const base = { index, every: '1m', throttle: '0s', notify: ['soc-email'] };
  project.writeAlert('silent-hosts', {
    ...base,
    condition: { type: 'flatline', threshold: 1, timeframe: '10m', key_history: '1h' },
    group_by: 'host.name',
    title: '{{key}} silent: {{count}} events in 10m, last seen {{last_seen}}',
  });
  project.writeAlert('quiet-index', { ...base, condition: { type: 'flatline', threshold: 3, timeframe: '10m' }, title: 'index quiet: {{count}} < {{threshold}}' });

  // Run 1 at T0. Keys seen in [T0-1h10m, T0): web01, web02 (web03 is older). In [T0-10m, T0): web01 1 (>= 1),
  // web02 0 (< 1: fires). All events in [T0-10m, T0): 1 < 3: the index is quiet.
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    'silent-hosts': [`web02 silent: 0 events in 10m, last seen ${iso(T0 - 30 * MIN)}`],
    'quiet-index': ['index quiet: 1 < 3'],
  });
  // Run 2 at T0+20m. In [T0+10m, T0+20m): web01 0 (its last event was T0-3m: fires); web02 1 (back: no finding).
  // All events in the timeframe: 1 (web02's) < 3.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 20 * MIN)), {
    'silent-hosts': [`web01 silent: 0 events in 10m, last seen ${iso(T0 - 3 * MIN)}`],
    'quiet-index': ['index quiet: 1 < 3'],
  });
});

test('spike: current vs reference window, up and down, thresholds, warm-up of new keys, and an average of a field', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('spike');
  const hit = (at: number, host: string, duration?: number) => event(at, { 'host.name': host, ...(duration !== undefined ? { duration } : {}) });
  const each = (host: string, minutes: number[]) => minutes.map((m) => hit(T0 + m * MIN, host));
  await indexDocs(world.esUrl, index, [
    // Run 1 at T0: reference window [T0-20m, T0-10m), current [T0-10m, T0); a key is warm when first seen at or
    // before T0-20m (the search reaches back to T0-30m).
    ...each('web01', [-28, -26, /* ref */ -18, -15, /* cur */ -9, -8, -7, -6, -5, -4, /* run 2 cur */ 1, 2, 3, 4, 5, 6]),
    ...each('web02', [-29, /* ref */ -19, -18, -17, -16, -15, -14, /* cur */ -5]),
    ...each('web03', [/* first seen, ref */ -15, /* cur */ -8, -7, -6, -5, -4]),
    ...Array.from({ length: 15 }, (_, i) => hit(T0 + MIN + i * 30_000, 'web03')), // run 2 current: 15 events
    ...each('web04', [-27, /* ref */ -17, -16, -15, /* cur */ -9, -8, -7, -6, -5]),
    ...each('web05', [-25, /* no ref; cur */ -8, -7, -6, -5]),
    // web06: latencies, reference average (100+100)/2 = 100, current (500+300)/2 = 400.
    hit(T0 - 28 * MIN, 'web06', 100), hit(T0 - 18 * MIN, 'web06', 100), hit(T0 - 12 * MIN, 'web06', 100), hit(T0 - 5 * MIN, 'web06', 500), hit(T0 - 3 * MIN, 'web06', 300),
  ]);
  const project = world.project();
  const base = { index, every: '1m', throttle: '0s', notify: ['soc-email'] };
  const title = '{{key}} {{spike_direction}}: {{spike_current}} vs {{spike_reference}}';
  project.writeAlert('surge', { ...base, condition: { type: 'spike', timeframe: '10m', spike_height: 3, spike_type: 'up' }, group_by: 'host.name', title });
  project.writeAlert('drop', { ...base, condition: { type: 'spike', timeframe: '10m', spike_height: 3, spike_type: 'down', threshold_ref: 3 }, group_by: 'host.name', title });
  project.writeAlert('latency', {
    ...base,
    query: { query: { term: { 'host.name': 'web06' } } },
    condition: { type: 'spike', timeframe: '10m', spike_height: 3, field_value: 'duration' },
    title: 'latency {{spike_direction}}: {{spike_current}} vs {{spike_reference}}',
  });

  // Run 1 (cur vs ref). surge (cur >= 3 x ref): web01 6 vs 2 (6 >= 6: up); web02 1 vs 6 no; web03 5 vs 1 would be up
  // but it was first seen at T0-15m, after T0-20m: warming up; web04 5 vs 3 (< 9) no; web05 4 vs 0: up (a warm key
  // with no reference events spikes, as in ElastAlert2; threshold_ref stops that, see drop); web06 2 vs 2 no.
  // drop (cur <= ref / 3, ref >= 3): web02 1 vs 6 (1 <= 2: down); web04 5 vs 3 no; web05 ref 0 < 3; web06 ref 2 < 3.
  // latency: the average 400 >= 3 x 100.
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    surge: ['web01 up: 6 vs 2', 'web05 up: 4 vs 0'],
    drop: ['web02 down: 1 vs 6'],
    latency: ['latency up: 400 vs 100'],
  });
  assert.equal(project.state().alerts.surge.rule.keys.web03[0], T0 - 15 * MIN, 'web03\'s first sighting is remembered');

  // Run 2 at T0+10m: reference [T0-10m, T0), current [T0, T0+10m).
  // surge: web03 is warm now (first seen T0-15m <= T0-10m): 15 vs 5 (15 >= 15: up); web01 6 vs 6 no; others have 0 now.
  // drop: web01 6 vs 6 no; web02 ref 1 < 3; web04 0 vs 5 (0 <= 1.67: down); web05 0 vs 4 (down); web06 ref 2 < 3.
  // latency: no current events, no average: nothing to compare.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 10 * MIN)), {
    surge: ['web03 up: 15 vs 5'],
    drop: ['web04 down: 0 vs 5', 'web05 down: 0 vs 4'],
  });
});

test('flatline per key: a key first seen within the timeframe is not checked until a full timeframe has passed since', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('flatnew');
  const beat = (at: number, host: string) => event(at, { 'host.name': host });
  await indexDocs(world.esUrl, index, [
    beat(T0 - 30 * MIN, 'old01'), beat(T0 - 5 * MIN, 'old01'), // known, 1 event in [T0-10m, T0): below 3
    beat(T0 - 5 * MIN, 'new01'), // first seen at T0-5m: too young to be silent
  ]);
  const project = world.project();
  project.writeAlert('quiet-hosts', {
    index, every: '1m', throttle: '0s', notify: ['soc-email'], group_by: 'host.name',
    condition: { type: 'flatline', threshold: 3, timeframe: '10m', key_history: '1h' },
    title: '{{key}} quiet: {{count}}',
  });
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), { 'quiet-hosts': ['old01 quiet: 1'] });
  // At T0+5m new01's first event is exactly at the timeframe's start: still not a full timeframe (old01: 1 event).
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 5 * MIN)), { 'quiet-hosts': ['old01 quiet: 1'] });
  // At T0+6m it has had its full timeframe (first event at T0-5m < T0+6m-10m): now it is checked.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 6 * MIN)), { 'quiet-hosts': ['new01 quiet: 0', 'old01 quiet: 0'] });
});

test('flatline per key over daily indices: hosts busy today are not reported silent because yesterday\'s index knows them too', async () => {
  const T0 = uniqueBaseTime();
  const tag = `fldaily${Math.random().toString(36).slice(2, 6)}`;
  const yesterday = await world.index(`${tag}-d1`);
  const today = await world.index(`${tag}-d2`);
  const host = (i: number) => `host${String(i).padStart(2, '0')}`;
  const beat = (at: number, name: string) => event(at, { 'host.name': name });
  // 40 hosts (more than the ten pages of group_size a run examines), each seen yesterday; today host i sends
  // 40 - i events within the timeframe: none is silent.
  await indexDocs(world.esUrl, yesterday, Array.from({ length: 40 }, (_, i) => beat(T0 - 20 * 60 * MIN, host(i))));
  await indexDocs(world.esUrl, today, Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 - i }, (_, n) => beat(T0 - 9 * MIN + n * 1000, host(i)))).flat());
  const project = world.project();
  project.writeAlert('silent-hosts', {
    index: `${tag}-*`, every: '1m', throttle: '0s', notify: ['soc-email'], group_by: 'host.name', group_size: 3,
    condition: { type: 'flatline', threshold: 1, timeframe: '10m', key_history: '2d' },
    title: '{{key}} silent',
  });
  const report = await runAt(project, T0);
  // No host is reported silent; the hosts beyond the ten pages of group_size examined are said in one notice.
  assert.deepEqual(notifiedTitles(report), { 'silent-hosts': ['silent-hosts: not every key was examined this run'] });
  assert.match(JSON.stringify(report), /more than group_size \(3\) values of host\.name were seen within key_history/);
});

test('spike per key over two indices: a key busy in one index and quieter in the other is compared on all its events', async () => {
  const T0 = uniqueBaseTime();
  const tag = `spdaily${Math.random().toString(36).slice(2, 6)}`;
  const older = await world.index(`${tag}-d1`);
  const newer = await world.index(`${tag}-d2`);
  const hit = (at: number, host: string) => event(at, { 'host.name': host });
  // alpha: warm (first seen T0-25m), 100 events in the reference window [T0-20m, T0-10m) in one index, 40 in the
  // current window in the other: 40 vs 100 is no drop (it would take <= 33). The other index's 20 busier hosts
  // (50 events each) fill its shard's top list when keys are ordered by count, which left alpha's 40 out.
  await indexDocs(world.esUrl, older, [hit(T0 - 25 * MIN, 'alpha'), ...Array.from({ length: 100 }, (_, n) => hit(T0 - 20 * MIN + n * 5000, 'alpha'))]);
  await indexDocs(world.esUrl, newer, [
    ...Array.from({ length: 40 }, (_, n) => hit(T0 - 9 * MIN + n * 1000, 'alpha')),
    ...Array.from({ length: 20 }, (_, i) => Array.from({ length: 50 }, (_, n) => hit(T0 - 9 * MIN + n * 1000, `host${String(i).padStart(2, '0')}`))).flat(),
  ]);
  const project = world.project();
  project.writeAlert('drop', {
    index: `${tag}-*`, every: '1m', throttle: '0s', notify: ['soc-email'], group_by: 'host.name', group_size: 3,
    condition: { type: 'spike', timeframe: '10m', spike_height: 3, spike_type: 'down', threshold_ref: 3 },
    title: '{{key}} {{spike_direction}}: {{spike_current}} vs {{spike_reference}}',
  });
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {});
});
