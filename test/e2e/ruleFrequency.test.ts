import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { iso, useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60_000;
const world = useWorld();

test('frequency: num_events within a sliding timeframe per key, once per burst, and every window of a catch-up after downtime', async () => {
  const T0 = uniqueBaseTime(); // minute-aligned: the 10s buckets (10m / 60) end exactly on each run's now
  const index = await world.index('freq');
  const user = (at: number, name: string) => event(at, { 'user.name': name });
  await indexDocs(world.esUrl, index, [
    // Before run 1. alice: 2 events, one short of num_events. bob: 3 events within 8 minutes (< timeframe 10m).
    user(T0 - 8 * MIN, 'alice'), user(T0 - 5 * MIN, 'alice'),
    user(T0 - 9 * MIN, 'bob'), user(T0 - 7 * MIN, 'bob'), user(T0 - 1 * MIN, 'bob'),
    // Before run 2: alice's third event, within 10m of her first two.
    user(T0 + 30 * S, 'alice'),
    // During a 39-minute downtime (runs 3 to 40 never happened):
    user(T0 + 2 * MIN, 'alice'), // alice's earlier events were used up by her fire in run 2: 1 of 3
    user(T0 + 5 * MIN, 'carol'), user(T0 + 6 * MIN, 'carol'), user(T0 + 7 * MIN, 'carol'), // one burst
    user(T0 + 20 * MIN, 'bob'), user(T0 + 21 * MIN, 'bob'), user(T0 + 22 * MIN, 'bob'), // two bursts of bob
    user(T0 + 30 * MIN, 'bob'), user(T0 + 31 * MIN, 'bob'), user(T0 + 32 * MIN, 'bob'),
    user(T0 + 10 * MIN, 'dave'), user(T0 + 25 * MIN, 'dave'), user(T0 + 39 * MIN, 'dave'), // never 3 within 10m
  ]);
  const project = world.project();
  project.writeAlert('bursts', {
    index,
    every: '1m',
    throttle: '0s',
    condition: { type: 'frequency', num_events: 3, timeframe: '10m' },
    group_by: 'user.name',
    notify: ['soc-email'],
    title: '{{key}}: {{count}} events, fired {{fires}}x, last window ending {{window_end}}',
  });

  // Run 1 at T0, window [T0-10m, T0): bob's 3rd event (T0-1m) lies in bucket [T0-1m, T0-50s), so the first window
  // holding all 3 ends at T0-50s: [T0-10m50s, T0-50s) has T0-9m, T0-7m, T0-1m = 3 >= 3. alice: 2 < 3.
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    bursts: [`bob: 3 events, fired 1x, last window ending ${iso(T0 - 50 * S)}`],
  });

  // Run 2 at T0+1m, window [T0, T0+1m): alice's T0+30s event closes [T0-9m20s, T0+40s): T0-8m, T0-5m, T0+30s = 3.
  // bob fired at T0-50s: only his events after that count (ElastAlert2 discards the window after a match): 0.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + MIN)), {
    bursts: [`alice: 3 events, fired 1x, last window ending ${iso(T0 + 40 * S)}`],
  });

  // Run 3 at T0+40m after downtime, window [T0+1m, T0+40m): every window ending in it is checked.
  // carol: [.., T0+7m10s) holds 5m, 6m, 7m = 3. bob: fires at T0+22m10s (20, 21, 22), his events are used up,
  // fires again at T0+32m10s (30, 31, 32): 2 fires, the last with 3 events. dave: at most 1 per 10m. alice: 1 unused.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 40 * MIN)), {
    bursts: [
      `bob: 3 events, fired 2x, last window ending ${iso(T0 + 32 * MIN + 10 * S)}`,
      `carol: 3 events, fired 1x, last window ending ${iso(T0 + 7 * MIN + 10 * S)}`,
    ],
  });
  // What is remembered: fires within the last timeframe only (alice's and carol's are older than T0+30m).
  assert.deepEqual(project.state().alerts.bursts.rule, { lastFire: { bob: T0 + 32 * MIN + 10 * S } });

  // Run 4 at T0+41m: nothing new anywhere; bob's used-up events do not fire again.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 41 * MIN)), {});
});

test('frequency without group_by, and a compound group_by on count and any: the key is the values joined by ", "', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('freq-compound');
  const logon = (at: number, host: string, name: string) => event(at, { 'host.name': host, 'user.name': name });
  await indexDocs(world.esUrl, index, [
    logon(T0 - 9 * MIN, 'web01', 'alice'), logon(T0 - 8 * MIN, 'web01', 'alice'), logon(T0 - 7 * MIN, 'web01', 'alice'),
    logon(T0 - 6 * MIN, 'web02', 'alice'),
    logon(T0 - 5 * MIN, 'web01', 'bob'),
  ]);
  const project = world.project();
  const base = { index, every: '1m', notify: ['soc-email'] };
  // Ungrouped: the 5 events lie within 4 minutes (T0-9m .. T0-5m), so a 5m window holds all 5 and fires; a 3m window
  // holds at most 3 of them (e.g. T0-9m, T0-8m, T0-7m), so 5 within 3m never holds.
  project.writeAlert('all-logons', { ...base, condition: { type: 'frequency', num_events: 5, timeframe: '5m' }, title: 'all: {{count}}' });
  project.writeAlert('all-logons-3m', { ...base, condition: { type: 'frequency', num_events: 5, timeframe: '3m' }, title: 'all 3m: {{count}}' });
  project.writeAlert('per-host-user', { ...base, condition: { type: 'count', gte: 2 }, group_by: ['host.name', 'user.name'], title: '{{key}}: {{count}}' });
  project.writeAlert('any-pair', { ...base, condition: { type: 'any' }, group_by: ['user.name', 'host.name'], title: '{{key}}' });
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    'all-logons': ['all: 5'],
    // (web01, alice): 3 >= 2; (web02, alice) and (web01, bob): 1 each.
    'per-host-user': ['web01, alice: 3'],
    'any-pair': ['alice, web01', 'alice, web02', 'bob, web01'],
  });
});
