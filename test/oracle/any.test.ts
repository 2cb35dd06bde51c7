import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MISSING, replayAll, replayBoth, run } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60 * S;
const world = useWorld();

const at = (ms: number) => new Date(ms).toISOString();
const logon = (t: number, fields: Record<string, unknown>) => ({ '@timestamp': at(t), event: { code: '4624' }, ...fields });

test('oracle any: every run with an event matches in both, per key; an event without the group_by field and one exactly on a minute are the documented differences', async () => {
  const T = uniqueBaseTime();
  const r = await replayBoth(world, {
    name: 'any-user',
    start: T,
    end: T + 30 * MIN,
    docs: [
      logon(T + 30 * S, { user: 'alice' }),
      logon(T + 45 * S, { user: 'alice' }), // a second match in the same step: one run
      logon(T + 50 * S, { user: 'bob' }),
      logon(T + 5 * MIN + 10 * S, { user: 'alice' }),
      logon(T + 9 * MIN + 59 * S, { user: 'carol' }),
      logon(T + 10 * MIN + 1 * S, { user: 'carol' }), // the next minute: a run of its own
      logon(T + 12 * MIN + 30 * S, {}), // no user: ElastAlert2 keys it None, alertcron gives it no key
      logon(T + 20 * MIN, { user: 'dave' }), // exactly on a minute: (19m, 20m] in ElastAlert2, [20m, 21m) in alertcron
      logon(T + 29 * MIN + 59 * S, { user: 'erin' }),
    ],
    elastalert: { type: 'any', query_key: 'user' },
    alertcron: { condition: { type: 'any' }, group_by: 'user' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  // ElastAlert2 matched alice twice in the first step: one run.
  assert.equal(r.elastalert.matches.filter((m) => m.key === 'alice').length, 3);
  const common = [run(T + MIN, 'alice'), run(T + MIN, 'bob'), run(T + 6 * MIN, 'alice'), run(T + 10 * MIN, 'carol'), run(T + 11 * MIN, 'carol'), run(T + 30 * MIN, 'erin')];
  assert.deepEqual(r.onlyElastalert, [run(T + 13 * MIN, MISSING), run(T + 20 * MIN, 'dave')].sort());
  assert.deepEqual(r.onlyAlertcron, [run(T + 21 * MIN, 'dave')]);
  assert.deepEqual(r.alertcron.runs, [...common, run(T + 21 * MIN, 'dave')].sort());
  // With throttle 0s every finding is a notice: the first of each key, then repeats.
  assert.deepEqual(r.alertcron.summary.sent.map((n) => run(n.at, n.key)).sort(), r.alertcron.runs);
});

test('oracle any: without a key every run with an event matches once; with a compound key the keys are the values joined by ", " in both', async () => {
  const T = uniqueBaseTime();
  const docs = [
    logon(T + 10 * S, { host: 'web01', user: 'alice' }),
    logon(T + 20 * S, { host: 'web02', user: 'alice' }),
    logon(T + 3 * MIN + 5 * S, { host: 'web01', user: 'bob' }),
    logon(T + 3 * MIN + 6 * S, { host: 'web01', user: 'bob' }),
    logon(T + 7 * MIN + 40 * S, { host: 'web01' }), // no user: alertcron gives it no key; ElastAlert2 "web01, None"
  ];
  const [whole, compound] = await replayAll(world, [
    { name: 'any-all', start: T, end: T + 10 * MIN, docs, elastalert: { type: 'any' }, alertcron: { condition: { type: 'any' } } },
    {
      name: 'any-compound',
      start: T,
      end: T + 10 * MIN,
      docs,
      elastalert: { type: 'any', query_key: ['host', 'user'] },
      alertcron: { condition: { type: 'any' }, group_by: ['host', 'user'] },
    },
  ]);
  assert.deepEqual(whole!.elastalert.errors, []);
  assert.deepEqual(whole!.onlyElastalert, []);
  assert.deepEqual(whole!.onlyAlertcron, []);
  assert.deepEqual(whole!.alertcron.runs, [run(T + MIN), run(T + 4 * MIN), run(T + 8 * MIN)]);

  assert.deepEqual(compound!.elastalert.errors, []);
  assert.deepEqual(compound!.onlyElastalert, [run(T + 8 * MIN, 'web01, None')]);
  assert.deepEqual(compound!.onlyAlertcron, []);
  assert.deepEqual(compound!.alertcron.runs, [run(T + MIN, 'web01, alice'), run(T + MIN, 'web02, alice'), run(T + 4 * MIN, 'web01, bob')]);
});
