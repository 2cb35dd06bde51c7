import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MISSING, replayAll, type OracleCase } from '../support/oracle.js';
import { checkProperty, fc } from '../support/property.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60 * S;
const SPAN_MIN = 30;
const world = useWorld();

/** Events at distinct whole seconds inside a 30-minute span, never on a minute; some without a user. */
const events = fc.uniqueArray(
  fc.record({ second: fc.integer({ min: 1, max: SPAN_MIN * 60 - 1 }).filter((s) => s % 60 !== 0), user: fc.constantFrom('alice', 'bob', 'carol', undefined) }),
  { minLength: 1, maxLength: 40, selector: (e) => e.second },
);

/** One rule, the same both ways: frequency at resolution 1s, any, or blacklist, keyed by user. */
const rule = fc.oneof(
  fc.record({ type: fc.constant('frequency' as const), numEvents: fc.integer({ min: 2, max: 4 }), timeframeMin: fc.integer({ min: 2, max: 8 }) }),
  fc.record({ type: fc.constantFrom('any' as const, 'blacklist' as const) }),
);

function oracleCase(name: string, T: number, evs: { second: number; user?: string }[], r: { type: 'frequency'; numEvents: number; timeframeMin: number } | { type: 'any' | 'blacklist' }): OracleCase {
  const docs = evs.map((e) => ({ '@timestamp': new Date(T + e.second * S).toISOString(), ...(e.user ? { user: e.user } : {}) }));
  const base = { name, start: T, end: T + SPAN_MIN * MIN, docs };
  if (r.type === 'frequency') {
    return {
      ...base,
      elastalert: { type: 'frequency', num_events: r.numEvents, timeframe: { minutes: r.timeframeMin }, query_key: 'user' },
      // group_size 50 keeps 1s buckets within the cluster's bucket budget.
      alertcron: { condition: { type: 'frequency', num_events: r.numEvents, timeframe: `${r.timeframeMin}m`, resolution: '1s' }, group_by: 'user', group_size: 50 },
    };
  }
  const list = r.type === 'blacklist' ? { compare_key: 'user', blacklist: ['bob', 'carol'] } : {};
  return { ...base, elastalert: { type: r.type, query_key: 'user', ...list }, alertcron: { condition: { type: r.type, ...list }, group_by: 'user' } };
}

test('oracle, generated: frequency (resolution 1s), any and blacklist match ElastAlert2 run for run on any events, apart from events without the key', async () => {
  let n = 0;
  await checkProperty(
    'oracle generated datasets',
    fc.asyncProperty(fc.array(fc.tuple(events, rule), { minLength: 1, maxLength: 4 }), async (batch) => {
      const T = uniqueBaseTime();
      const results = await replayAll(world, batch.map(([evs, r]) => oracleCase(`gen-${r.type}-${n++}`, T, evs, r)));
      for (const r of results) {
        assert.deepEqual(r.elastalert.errors, []);
        assert.deepEqual(r.onlyAlertcron, []);
        assert.deepEqual(r.onlyElastalert.filter((x) => !x.endsWith(` ${MISSING}`)), []);
      }
    }),
    4,
  );
});
