import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const world = useWorld();

test('new_term: compound terms first seen in the window against terms_window_size; a downtime reports its new terms once', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('newterm');
  const logon = (at: number, user: string, ip: string) => event(at, { 'user.name': user, 'source.ip': ip });
  await indexDocs(world.esUrl, index, [
    logon(T0 - 20 * HOUR, 'alice', '10.0.0.1'), logon(T0 - 2 * HOUR, 'alice', '10.0.0.1'), // known pair
    logon(T0 - 3 * 24 * HOUR, 'bob', '10.0.0.2'), // seen 3 days ago: beyond terms_window_size (1d)
    // Run 1 window [T0-10m, T0):
    logon(T0 - 5 * MIN, 'alice', '10.0.0.1'), // known: not new
    logon(T0 - 4 * MIN, 'alice', '203.0.113.7'), logon(T0 - 2 * MIN, 'alice', '203.0.113.7'), // new pair, 2 events
    logon(T0 - 3 * MIN, 'bob', '10.0.0.2'), // new again: not seen within 1d
    // Run 2 window [T0, T0+1m):
    logon(T0 + 30 * S, 'alice', '203.0.113.7'), // first seen at T0-4m, before this window: not new
    logon(T0 + 20 * S, 'carol', '10.0.0.3'), // new
    // Downtime, run 3 window [T0+1m, T0+30m):
    logon(T0 + 10 * MIN, 'dave', '10.0.0.4'), logon(T0 + 12 * MIN, 'dave', '10.0.0.4'), // new, once
    logon(T0 + 11 * MIN, 'carol', '10.0.0.3'), // first seen T0+20s: not new
  ]);
  const project = world.project();
  project.writeAlert('new-logon-source', {
    index,
    every: '1m',
    throttle: '0s',
    condition: { type: 'new_term', fields: ['user.name', 'source.ip'], terms_window_size: '1d' },
    notify: ['soc-email'],
    title: 'new: {{key}} ({{count}}, first {{first_seen}})',
  });
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    'new-logon-source': [`new: alice, 203.0.113.7 (2, first ${iso(T0 - 4 * MIN)})`, `new: bob, 10.0.0.2 (1, first ${iso(T0 - 3 * MIN)})`],
  });
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + MIN)), { 'new-logon-source': [`new: carol, 10.0.0.3 (1, first ${iso(T0 + 20 * S)})`] });
  // Nothing about seen values is kept in state: the terms come from the index on every run.
  assert.equal(project.state().alerts['new-logon-source'].rule, undefined);
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 30 * MIN)), { 'new-logon-source': [`new: dave, 10.0.0.4 (2, first ${iso(T0 + 10 * MIN)})`] });
});

test('change: a compound compare_key changed per key, old and new value in the notice, across runs and within timeframe', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('change');
  const seen = (at: number, user: string, country: string, city: string) => event(at, { 'user.name': user, 'geo.country': country, 'geo.city': city });
  await indexDocs(world.esUrl, index, [
    // Run 1 window [T0-10m, T0), searched from T0-70m (timeframe 1h before the window).
    seen(T0 - 30 * MIN, 'alice', 'DE', 'Berlin'), seen(T0 - 20 * MIN, 'alice', 'DE', 'Berlin'), seen(T0 - 5 * MIN, 'alice', 'FR', 'Paris'), // changes in the window
    seen(T0 - 50 * MIN, 'bob', 'US', 'NYC'), seen(T0 - 3 * MIN, 'bob', 'US', 'NYC'), // same value
    seen(T0 - 2 * HOUR, 'carol', 'UK', 'London'), seen(T0 - 2 * MIN, 'carol', 'UK', 'Leeds'), // London is outside the search: nothing known before Leeds
    seen(T0 - 62 * MIN, 'dave', 'NL', 'Amsterdam'), // remembered from run 1, not seen in its window
    seen(T0 - 40 * MIN, 'eve', 'NL', 'Amsterdam'),
    // Run 2 window [T0, T0+1m), searched from T0-60m.
    seen(T0 + 10 * S, 'alice', 'FR', 'Paris'), // still Paris: the change was reported in run 1
    seen(T0 + 30 * S, 'carol', 'UK', 'London'), // Leeds -> London
    seen(T0 + 40 * S, 'dave', 'BE', 'Brussels'), // Amsterdam was last seen 62m40s before: more than timeframe 1h
    seen(T0 + 45 * S, 'eve', 'BE', 'Brussels'), // Amsterdam last seen 40m45s before: within 1h
  ]);
  const project = world.project();
  project.writeAlert('travel', {
    index,
    every: '1m',
    throttle: '0s',
    condition: { type: 'change', compare_key: ['geo.country', 'geo.city'], timeframe: '1h', ignore_null: true },
    group_by: 'user.name',
    notify: ['soc-email'],
    title: '{{key}}: {{old_value}} -> {{new_value}}',
  });
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), { travel: ['alice: DE, Berlin -> FR, Paris'] });
  // The last value of each key is remembered (dave's Amsterdam, outside run 2's search, included).
  assert.deepEqual(project.state().alerts.travel.rule.keys.dave, ['NL, Amsterdam', T0 - 62 * MIN]);
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + MIN)), { travel: ['carol: UK, Leeds -> UK, London', 'eve: NL, Amsterdam -> BE, Brussels'] });
  assert.deepEqual(project.state().alerts.travel.rule.keys.dave, ['BE, Brussels', T0 + 40 * S]);
});

test('new_term over daily indices: a term seen yesterday in another index is not new today; the history check is exact across shards', async () => {
  const T0 = uniqueBaseTime();
  const tag = `ntdaily${Math.random().toString(36).slice(2, 6)}`;
  const yesterday = await world.index(`${tag}-d1`);
  const today = await world.index(`${tag}-d2`);
  const logon = (at: number, user: string) => event(at, { 'user.name': user });
  // Yesterday's index: alice early, then 30 other users later (all first seen after alice). Ordered by first
  // sighting, yesterday's shard would return only the newest ~13 users for group_size 2, leaving alice out.
  await indexDocs(world.esUrl, yesterday, [logon(T0 - 20 * HOUR, 'alice'), ...Array.from({ length: 30 }, (_, i) => logon(T0 - 10 * HOUR + i * MIN, `user${i}`))]);
  // Today's index: alice again (not new) and mallory (new) in the window [T0-10m, T0).
  await indexDocs(world.esUrl, today, [logon(T0 - 5 * MIN, 'alice'), logon(T0 - 4 * MIN, 'mallory')]);
  const project = world.project();
  project.writeAlert('new-user', {
    index: `${tag}-*`,
    every: '1m',
    throttle: '0s',
    group_size: 2,
    condition: { type: 'new_term', fields: 'user.name', terms_window_size: '2d' },
    notify: ['soc-email'],
    title: 'new user {{key}}',
  });
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), { 'new-user': ['new user mallory'] });
});
