import assert from 'node:assert/strict';
import { test } from 'node:test';
import { m, minutes, replayBoth, run } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

test('oracle cardinality max: ElastAlert2 matches at each event while its trailing timeframe holds more than max_cardinality values; alertcron at each run while the run\'s trailing timeframe does (the documented difference)', async () => {
  const T = uniqueBaseTime();
  const login = (t: number, host: string, user?: string) => ({ '@timestamp': new Date(T + t).toISOString(), host, ...(user === undefined ? {} : { user }) });
  const r = await replayBoth(world, {
    name: 'card-max',
    start: T,
    end: T + m(40),
    docs: [
      // web01: a third user at 2m30s, a fourth at 4m30s; above 2 in [E-10m, E) until b ages out (the run at 12m).
      login(m(0, 30), 'web01', 'a'), login(m(1, 30), 'web01', 'b'), login(m(2, 30), 'web01', 'c'), login(m(4, 30), 'web01', 'd'),
      // web02: one user, and an event without one: never above.
      ...minutes(5, 9).map((i) => login(m(i, 45), 'web02', 'a')), login(m(6, 50), 'web02'),
      // web03: three users within one minute, then a known user again at 25m05s (ElastAlert2 matches it too).
      login(m(20, 10), 'web03', 'a'), login(m(20, 20), 'web03', 'b'), login(m(20, 40), 'web03', 'c'), login(m(25, 5), 'web03', 'a'),
    ],
    elastalert: { type: 'cardinality', cardinality_field: 'user', max_cardinality: 2, timeframe: { minutes: 10 }, query_key: 'host' },
    alertcron: { condition: { type: 'cardinality', cardinality_field: 'user', max_cardinality: 2, timeframe: '10m' }, group_by: 'host' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  assert.deepEqual(r.elastalert.runs, [run(T + m(3), 'web01'), run(T + m(5), 'web01'), run(T + m(21), 'web03'), run(T + m(26), 'web03')].sort());
  assert.deepEqual(r.onlyElastalert, []);
  assert.deepEqual(r.onlyAlertcron, [
    ...[4, ...minutes(6, 11)].map((i) => run(T + m(i), 'web01')),
    ...[...minutes(22, 25), ...minutes(27, 30)].map((i) => run(T + m(i), 'web03')),
  ].sort());
});

test('oracle cardinality min: alertcron checks a key from its first event and at every run with events in the timeframe; ElastAlert2 waits a timeframe after the first event and again after each match (the documented difference); both see a key drop to one value; ElastAlert2 also matches a key whose values all left the timeframe at once', async () => {
  const T = uniqueBaseTime();
  const login = (t: number, host: string, user: string) => ({ '@timestamp': new Date(T + t).toISOString(), host, user });
  const r = await replayBoth(world, {
    name: 'card-min',
    start: T,
    end: T + m(40),
    docs: [
      // web04: one user every minute until 25m30s.
      ...minutes(0, 25).map((i) => login(m(i, 30), 'web04', 'a')),
      // web05: two users taking turns until 20m30s; b's last event (19m30s) leaves the timeframe in the run at 30m.
      ...minutes(0, 20).map((i) => login(m(i, 30), 'web05', i % 2 ? 'b' : 'a')),
      // web06: two users within one minute, then silent: both leave the timeframe at the end of the run at 16m.
      login(m(5, 10), 'web06', 'a'), login(m(5, 20), 'web06', 'b'),
    ],
    elastalert: { type: 'cardinality', cardinality_field: 'user', min_cardinality: 2, timeframe: { minutes: 10 }, query_key: 'host' },
    alertcron: { condition: { type: 'cardinality', cardinality_field: 'user', min_cardinality: 2, timeframe: '10m' }, group_by: 'host' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  // ElastAlert2 checks at each event and at the end of each run: web04 at the end of the first run more than a
  // timeframe after its first event (0m30s: the run at 11m), then after the next event (11m30s: 22m, 22m30s: 33m,
  // its last value 25m30s still within the timeframe); web05 when b leaves its timeframe (30m).
  // And web06 with no value left (its first event more than a timeframe ago): alertcron does not check a key with no
  // events in the timeframe (flatline is the type for silence).
  assert.deepEqual(r.elastalert.runs, [run(T + m(11), 'web04'), run(T + m(22), 'web04'), run(T + m(33), 'web04'), run(T + m(30), 'web05'), run(T + m(16), 'web06')].sort());
  assert.deepEqual(r.onlyElastalert, [run(T + m(16), 'web06')]);
  // alertcron: web04 at every run until its last event leaves the timeframe; web05 in its first run (one value so far).
  assert.deepEqual(r.onlyAlertcron, [...minutes(1, 35).filter((i) => ![11, 22, 33].includes(i)).map((i) => run(T + m(i), 'web04')), run(T + m(1), 'web05')].sort());
});
