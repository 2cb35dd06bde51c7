import assert from 'node:assert/strict';
import { test } from 'node:test';
import { m, MISSING, replayAll, run, type OracleCase } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

const ev = (t: number, fields: Record<string, unknown> = {}) => ({ '@timestamp': new Date(t).toISOString(), ...fields });

/** num_events 3 in 10 minutes per user, over 80 minutes of edge cases (times from the span's start). */
function perUser(T: number): Pick<OracleCase, 'start' | 'end' | 'docs'> {
  const user = (t: number, name?: string) => ev(T + t, name === undefined ? {} : { user: name });
  return {
    start: T,
    end: T + m(80),
    docs: [
      // alice: 3 within 8m40s, fires in the run ending at 10m; her events are then used up: the next three span
      // exactly 10 minutes (ElastAlert2's window holds less than a timeframe), so no second fire.
      user(m(1, 10), 'alice'), user(m(4, 20), 'alice'), user(m(9, 50), 'alice'),
      user(m(10, 30), 'alice'), user(m(12), 'alice'), user(m(22), 'alice'),
      // bob: a burst across the 31m boundary fires, then three more in the same minute fire again: one run (32m).
      user(m(30, 40), 'bob'), user(m(30, 50), 'bob'), user(m(31, 5), 'bob'), user(m(31, 20), 'bob'), user(m(31, 30), 'bob'), user(m(31, 45), 'bob'),
      // carol: 3 within 9m59s: ElastAlert2 fires at 50m04s; alertcron's windows end on 10s buckets (timeframe/60):
      // the one holding 50m04s is [40m10s, 50m10s), without 40m05s.
      user(m(40, 5), 'carol'), user(m(45), 'carol'), user(m(50, 4), 'carol'),
      // dave: steady, never 3 within 10 minutes: never fires.
      user(m(55, 30), 'dave'), user(m(60, 30), 'dave'), user(m(65, 40), 'dave'), user(m(70, 50), 'dave'),
      // no user: ElastAlert2 counts them under None, alertcron under no key.
      user(m(75, 10)), user(m(75, 20)), user(m(75, 30)),
      // erin: across the 78m boundary.
      user(m(77, 50), 'erin'), user(m(78, 10), 'erin'), user(m(78, 20), 'erin'),
    ],
  };
}

test('oracle frequency: bursts per key across run boundaries, events used up after a fire, a window of exactly one timeframe, a silent key; the 10s buckets and events without the key are the documented differences, and at resolution 1s only the latter remain', async () => {
  const T = uniqueBaseTime();
  const elastalert = { type: 'frequency', num_events: 3, timeframe: { minutes: 10 }, query_key: 'user' };
  const [coarse, fine] = await replayAll(world, [
    { name: 'freq-user', ...perUser(T), elastalert, alertcron: { condition: { type: 'frequency', num_events: 3, timeframe: '10m' }, group_by: 'user' } },
    // group_size 50: 1s buckets over a run's 11-minute search for the default 100 keys would pass the cluster's
    // bucket budget, and the resolution would be coarsened to 2s.
    { name: 'freq-fine', ...perUser(T), elastalert, alertcron: { condition: { type: 'frequency', num_events: 3, timeframe: '10m', resolution: '1s' }, group_by: 'user', group_size: 50 } },
  ]);
  for (const r of [coarse!, fine!]) {
    assert.deepEqual(r.elastalert.errors, []);
    // bob fired twice in ElastAlert2's step ending at 32m: one run.
    assert.equal(r.elastalert.matches.filter((x) => x.key === 'bob').length, 2);
    assert.deepEqual(r.onlyAlertcron, []);
  }
  assert.deepEqual(coarse!.alertcron.runs, [run(T + m(10), 'alice'), run(T + m(32), 'bob'), run(T + m(79), 'erin')]);
  assert.deepEqual(coarse!.onlyElastalert, [run(T + m(51), 'carol'), run(T + m(76), MISSING)]);
  assert.deepEqual(fine!.alertcron.runs, [run(T + m(10), 'alice'), run(T + m(32), 'bob'), run(T + m(51), 'carol'), run(T + m(79), 'erin')]);
  assert.deepEqual(fine!.onlyElastalert, [run(T + m(76), MISSING)]);
});

test('oracle frequency: without a key all events count together; with a compound key each pair counts alone, in both', async () => {
  const T = uniqueBaseTime();
  const pair = (t: number, host: string, user?: string) => ev(T + t, user === undefined ? { host } : { host, user });
  const docs = [
    // All events: 3 by 2m20s (fires, used up), 3 more by 6m30s (fires), 3 more by 12m40s (fires).
    // Pairs: web01/alice reaches 3 at 6m30s; web02/alice 2; web01/bob 1; web03 without a user 3 by 12m40s.
    pair(m(0, 20), 'web01', 'alice'), pair(m(1, 20), 'web02', 'alice'), pair(m(2, 20), 'web01', 'alice'), pair(m(3, 10), 'web01', 'bob'), pair(m(3, 40), 'web02', 'alice'),
    pair(m(6, 30), 'web01', 'alice'),
    // web03 without a user: ElastAlert2 keys it "web03, None", alertcron gives it no key.
    pair(m(8, 5), 'web03'), pair(m(9, 10), 'web03'), pair(m(12, 40), 'web03'),
  ];
  const [whole, compound] = await replayAll(world, [
    {
      name: 'freq-all',
      start: T,
      end: T + m(20),
      docs,
      elastalert: { type: 'frequency', num_events: 3, timeframe: { minutes: 10 } },
      alertcron: { condition: { type: 'frequency', num_events: 3, timeframe: '10m', resolution: '1s' } },
    },
    {
      name: 'freq-compound',
      start: T,
      end: T + m(20),
      docs,
      elastalert: { type: 'frequency', num_events: 3, timeframe: { minutes: 10 }, query_key: ['host', 'user'] },
      alertcron: { condition: { type: 'frequency', num_events: 3, timeframe: '10m', resolution: '1s' }, group_by: ['host', 'user'], group_size: 50 },
    },
  ]);
  assert.deepEqual(whole!.elastalert.errors, []);
  assert.deepEqual(whole!.onlyElastalert, []);
  assert.deepEqual(whole!.onlyAlertcron, []);
  assert.deepEqual(whole!.alertcron.runs, [run(T + m(3)), run(T + m(7)), run(T + m(13))]);

  assert.deepEqual(compound!.elastalert.errors, []);
  assert.deepEqual(compound!.alertcron.runs, [run(T + m(7), 'web01, alice')]);
  assert.deepEqual(compound!.onlyElastalert, [run(T + m(13), 'web03, None')]);
  assert.deepEqual(compound!.onlyAlertcron, []);
});
