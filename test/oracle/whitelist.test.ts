import assert from 'node:assert/strict';
import { test } from 'node:test';
import { m, replayAll, run } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

test('oracle whitelist: values off the list match, and events without compare_key match only with ignore_null false, in both', async () => {
  const T = uniqueBaseTime();
  const conn = (t: number, fields: Record<string, unknown>) => ({ '@timestamp': new Date(T + t).toISOString(), ...fields });
  const docs = [
    conn(m(0, 20), { country: 'FR' }), // listed
    conn(m(1, 30), { country: 'RU' }), // off the list
    conn(m(1, 45), { country: 'RU' }),
    conn(m(3, 5), { country: 'fr' }), // another case: off the list in both
    conn(m(5, 50), {}), // no country
    conn(m(8, 10), { country: 'DE' }),
    conn(m(8, 20), { country: 'United States' }), // listed, with a space
    conn(m(12, 40), { other: 'x' }), // no country
    conn(m(14, 59), { country: 'CN' }),
  ];
  const expectedOff = [run(T + m(2)), run(T + m(4)), run(T + m(15))];
  const both = [true, false];
  const results = await replayAll(
    world,
    both.map((ignoreNull) => ({
      name: `whitelist-${ignoreNull}`,
      start: T,
      end: T + m(15),
      docs,
      elastalert: { type: 'whitelist', compare_key: 'country', whitelist: ['FR', 'DE', 'United States'], ignore_null: ignoreNull },
      alertcron: { condition: { type: 'whitelist', compare_key: 'country', whitelist: ['FR', 'DE', 'United States'], ignore_null: ignoreNull } },
    })),
  );
  for (const [i, r] of results.entries()) {
    const ignoreNull = both[i];
    assert.deepEqual(r.elastalert.errors, []);
    assert.deepEqual(r.onlyElastalert, [], `ignore_null ${ignoreNull}`);
    assert.deepEqual(r.onlyAlertcron, [], `ignore_null ${ignoreNull}`);
    assert.deepEqual(r.alertcron.runs, ignoreNull ? expectedOff : [...expectedOff, run(T + m(6)), run(T + m(13))].sort(), `ignore_null ${ignoreNull}`);
  }
});
