import assert from 'node:assert/strict';
import { test } from 'node:test';
import { m, MISSING, replayBoth, run } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

test('oracle blacklist: listed values match in the run that sees them, per key; exact and case-sensitive in both; an event without the key is the documented difference', async () => {
  const T = uniqueBaseTime();
  const login = (t: number, fields: Record<string, unknown>) => ({ '@timestamp': new Date(T + t).toISOString(), ...fields });
  const r = await replayBoth(world, {
    name: 'blacklist-user',
    start: T,
    end: T + m(30),
    docs: [
      login(m(0, 15), { user: 'root', host: 'web01' }),
      login(m(0, 40), { user: 'root', host: 'web01' }), // twice in one step: one run
      login(m(0, 50), { user: 'guest', host: 'web02' }),
      login(m(2, 30), { user: 'alice', host: 'web01' }), // not listed
      login(m(4, 10), { user: 'Root', host: 'web01' }), // another case: not listed in either
      login(m(6, 20), { user: 'root admin', host: 'web03' }), // a listed value with a space
      login(m(6, 25), { user: 'root', host: 'web03' }),
      login(m(9, 59), { user: 'guest', host: 'web01' }),
      login(m(10, 1), { user: 'guest', host: 'web01' }), // the next minute: a run of its own
      login(m(14, 45), { user: 'guest' }), // no host: ElastAlert2 keys it None, alertcron gives it no key
      login(m(17, 5), { host: 'web02' }), // no user: listed nowhere
      login(m(29, 30), { user: 'root', host: 'web02' }),
    ],
    elastalert: { type: 'blacklist', compare_key: 'user', blacklist: ['root', 'guest', 'root admin'], query_key: 'host' },
    alertcron: { condition: { type: 'blacklist', compare_key: 'user', blacklist: ['root', 'guest', 'root admin'] }, group_by: 'host' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  assert.deepEqual(r.alertcron.runs, [
    run(T + m(1), 'web01'), run(T + m(1), 'web02'), run(T + m(7), 'web03'), run(T + m(10), 'web01'), run(T + m(11), 'web01'), run(T + m(30), 'web02'),
  ].sort());
  assert.deepEqual(r.onlyElastalert, [run(T + m(15), MISSING)]);
  assert.deepEqual(r.onlyAlertcron, []);
});
