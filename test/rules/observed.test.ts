import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observedLabel } from '../../src/rules/observed.js';
import { ruleTypeOf } from '../../src/rules/registry.js';
import type { ConditionDef, RuleAlert } from '../../src/rules/types.js';
import type { SearchResponse } from '../../src/model/search.js';
import { checkProperty, fc } from '../support/property.js';

// Response shapes as OpenSearch 2.x answers the searches the rule types send (hits.total as {value, relation},
// terms buckets with doc_count and sub-aggregations, sum_other_doc_count).
const MIN = 60_000;
const window = { from: 100 * MIN, to: 101 * MIN };

function alertOf(condition: ConditionDef, groupBy?: string[]): RuleAlert {
  return { name: 'a', file: 'alerts/a.yaml', index: 'logs-*', query: {}, condition, group_size: 100, timestamp_field: '@timestamp', samples: 0, ...(groupBy ? { group_by: groupBy } : {}) };
}

async function observe(condition: ConditionDef, response: SearchResponse, groupBy?: string[], state?: unknown) {
  const alert = alertOf(condition, groupBy);
  const output = await ruleTypeOf(condition).evaluate({ alert, condition, window, response, state });
  return output.observed;
}

const hits = (value: number): SearchResponse => ({ hits: { total: { value, relation: 'eq' }, hits: [] } });
const groups = (buckets: Record<string, unknown>[], other = 0): SearchResponse => ({ hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: { alertcron_groups: { doc_count_error_upper_bound: 0, sum_other_doc_count: other, buckets } } });

test('count, any, blacklist, whitelist: the hits found, below the threshold too; per group_by key its doc_count', async () => {
  assert.deepEqual(await observe({ type: 'count', gt: 10 }, hits(3)), { total: 3 });
  assert.deepEqual(await observe({ type: 'count', gt: 10 }, hits(0)), { total: 0 });
  assert.deepEqual(await observe({ type: 'count', gte: 5 }, groups([{ key: 'alice', doc_count: 7 }, { key: 'bob', doc_count: 2 }], 4), ['user.name']), { total: 13, keys: [{ key: 'alice', value: 7 }, { key: 'bob', value: 2 }] });
  assert.deepEqual(await observe({ type: 'any' }, hits(2)), { total: 2 });
  const list = { compare_key: 'user.name', values: ['x'], ignore_null: false };
  assert.deepEqual(await observe({ type: 'blacklist', ...list }, hits(4)), { total: 4 });
  assert.deepEqual(await observe({ type: 'whitelist', ...list }, hits(1)), { total: 1 });
});

test('frequency: the most events within the timeframe at one boundary of the window, fired or not', async () => {
  const condition = { type: 'frequency' as const, num_events: 100, timeframe: 5 * MIN, resolution: MIN };
  const histogram = (counts: [number, number][]) => ({ buckets: counts.map(([m, c]) => ({ key: m * MIN, key_as_string: '', doc_count: c })) });
  // 2 + 3 + 1 events in minutes 96..98 and 100: the timeframe ending at 101 holds 2 + 3 + 1 + 4 = 10 (96..100).
  const response: SearchResponse = { hits: { total: { value: 10, relation: 'eq' }, hits: [] }, aggregations: { alertcron_histogram: histogram([[96, 2], [97, 3], [98, 1], [100, 4]]) } };
  assert.deepEqual(await observe(condition, response), { total: 10 });
  const grouped = groups([{ key: 'web', doc_count: 5, alertcron_histogram: histogram([[90, 1], [99, 2], [100, 3]]) }]);
  assert.deepEqual(await observe(condition, grouped, ['host.name']), { total: 5, keys: [{ key: 'web', value: 5 }] });
});

test('flatline: the events within the timeframe; per key those of the recent filter', async () => {
  const condition = { type: 'flatline' as const, threshold: 3, timeframe: 5 * MIN, key_history: 60 * MIN };
  assert.deepEqual(await observe(condition, hits(8)), { total: 8 });
  const grouped = groups([
    { key: 'db', doc_count: 40, alertcron_recent: { doc_count: 0 }, alertcron_first_seen: { value: 10 * MIN }, alertcron_last_seen: { value: 90 * MIN } },
    { key: 'web', doc_count: 12, alertcron_recent: { doc_count: 9 }, alertcron_first_seen: { value: 50 * MIN }, alertcron_last_seen: { value: 100 * MIN } },
  ]);
  assert.deepEqual(await observe(condition, grouped, ['host.name']), { total: 52, keys: [{ key: 'db', value: 0 }, { key: 'web', value: 9 }] });
  // A key first seen within the last timeframe is not compared yet: it has no value (its events still count in the total).
  const young = groups([
    { key: 'db', doc_count: 40, alertcron_recent: { doc_count: 0 }, alertcron_first_seen: { value: 10 * MIN }, alertcron_last_seen: { value: 90 * MIN } },
    { key: 'new', doc_count: 4, alertcron_recent: { doc_count: 4 }, alertcron_first_seen: { value: 98 * MIN }, alertcron_last_seen: { value: 100 * MIN } },
  ]);
  assert.deepEqual(await observe(condition, young, ['host.name']), { total: 44, keys: [{ key: 'db', value: 0 }] });
});

test('metric_aggregation: the metric per key (a null metric is no value)', async () => {
  const condition = { type: 'metric_aggregation' as const, metric_agg_key: 'bytes', metric_agg_type: 'avg' as const, max_threshold: 1000, min_doc_count: 1 };
  assert.deepEqual(await observe(condition, { ...hits(4), aggregations: { alertcron_metric: { value: 250.5 } } }), { total: 250.5 });
  assert.deepEqual(await observe(condition, { ...hits(0), aggregations: { alertcron_metric: { value: null } } }), { total: null });
  const grouped = groups([{ key: 'a', doc_count: 2, alertcron_metric: { value: 10 } }, { key: 'b', doc_count: 1, alertcron_metric: { value: null } }]);
  assert.deepEqual(await observe(condition, grouped, ['host.name']), { total: 3, keys: [{ key: 'a', value: 10 }] });
});

test('percentage_match: the matching share in %; nothing below min_denominator', async () => {
  const condition = { type: 'percentage_match' as const, match_bucket_filter: { term: { status: 500 } }, max_percentage: 50, min_denominator: 4 };
  const share = (match: number, other: number) => ({ alertcron_share: { buckets: { match: { doc_count: match }, other: { doc_count: other } } } });
  assert.deepEqual(await observe(condition, { ...hits(8), aggregations: share(2, 6) }), { total: 25 });
  assert.deepEqual(await observe(condition, { ...hits(3), aggregations: share(1, 2) }), { total: null });
  assert.deepEqual(await observe(condition, groups([{ key: 'x', doc_count: 5, ...share(5, 0) }]), ['host.name']), { total: 5, keys: [{ key: 'x', value: 100 }] });
});

test('spike: the current timeframe\'s value, compared with the reference; a key still warming up has none', async () => {
  const condition = { type: 'spike' as const, timeframe: 10 * MIN, spike_height: 3, spike_type: 'both' as const, threshold_cur: 0, threshold_ref: 0, alert_on_new_data: false };
  const aggs = (first: number, ref: number, cur: number) => ({ alertcron_first_seen: { value: first }, alertcron_reference: { doc_count: ref }, alertcron_current: { doc_count: cur } });
  assert.deepEqual(await observe(condition, { ...hits(12), aggregations: aggs(60 * MIN, 10, 2) }), { total: 2 });
  assert.deepEqual(await observe(condition, { ...hits(12), aggregations: aggs(95 * MIN, 10, 2) }), { total: null }, 'first seen 6 minutes ago: warming up');
  const grouped = groups([{ key: 'k', doc_count: 7, ...aggs(60 * MIN, 1, 6) }]);
  assert.deepEqual(await observe(condition, grouped, ['host.name']), { total: 7, keys: [{ key: 'k', value: 6 }] });
  // By average: a key whose reference timeframe had no events (no average) is not compared, so it has no value.
  const averaged = { ...condition, field_value: 'bytes' };
  const avg = (first: number, ref: number | null, cur: number | null) => ({ alertcron_first_seen: { value: first }, alertcron_reference: { doc_count: ref === null ? 0 : 2, alertcron_average: { value: ref } }, alertcron_current: { doc_count: 2, alertcron_average: { value: cur } } });
  const both = groups([{ key: 'k', doc_count: 4, ...avg(60 * MIN, 100, 50) }, { key: 'gap', doc_count: 2, ...avg(60 * MIN, null, 500) }]);
  assert.deepEqual(await observe(averaged, both, ['host.name']), { total: 6, keys: [{ key: 'k', value: 50 }] });
});

test('cardinality: distinct values per key; a key without events is not checked', async () => {
  const condition = { type: 'cardinality' as const, cardinality_field: 'user.name', timeframe: 5 * MIN, max_cardinality: 10 };
  assert.deepEqual(await observe(condition, { ...hits(9), aggregations: { alertcron_distinct: { value: 4 } } }), { total: 4 });
  assert.deepEqual(await observe(condition, { ...hits(0), aggregations: { alertcron_distinct: { value: 0 } } }), { total: null });
  assert.deepEqual(await observe(condition, groups([{ key: 'h', doc_count: 3, alertcron_distinct: { value: 2 } }]), ['host.name']), { total: 3, keys: [{ key: 'h', value: 2 }] });
});

test('buckets: the compared value of every bucket, met or not; total: the hits', async () => {
  const condition = { type: 'buckets' as const, path: 'by_host', value: 'avg_ms.value', gt: 100 };
  const response: SearchResponse = { ...hits(30), aggregations: { by_host: { buckets: [{ key: 'a', doc_count: 20, avg_ms: { value: 150 } }, { key: 'b', doc_count: 10, avg_ms: { value: 20 } }] } } };
  assert.deepEqual(await observe(condition, response), { total: 30, keys: [{ key: 'a', value: 150 }, { key: 'b', value: 20 }] });
});

test('new_term, change, temporal, script: the events found', async () => {
  const terms = { alertcron_terms: { sum_other_doc_count: 1, buckets: [{ key: 'x', doc_count: 2, alertcron_first_seen: { value: window.from } }, { key: 'y', doc_count: 3, alertcron_first_seen: { value: window.from } }] } };
  assert.deepEqual(await observe({ type: 'new_term', fields: ['user.name'], terms_window_size: 60 * MIN }, { ...hits(0), aggregations: terms }), { total: 6 });
  const change = { type: 'change' as const, compare_key: ['country'], key_history: 60 * MIN };
  const inWindow = (n: number) => ({ alertcron_window: { doc_count: n, alertcron_events: { hits: { hits: [] } } } });
  assert.deepEqual(await observe(change, groups([{ key: 'u', doc_count: 3, ...inWindow(3) }]), ['user.name']), { total: 3, keys: [{ key: 'u', value: 3 }] });
  const temporal = { type: 'temporal' as const, timeframe: 5 * MIN, ordered: false, resolution: MIN, rules: [{ name: 'one', query: { match_all: {} } }] };
  assert.deepEqual(await observe(temporal, hits(5)), { total: 5 });
});

test('property: a count alert observes exactly the doc_counts it was answered, whatever the threshold', async () => {
  await checkProperty('observed count per key', fc.asyncProperty(fc.array(fc.nat(1000), { maxLength: 20 }), fc.nat(1000), fc.integer({ min: 0, max: 500 }), async (counts, other, gt) => {
    const buckets = counts.map((c, i) => ({ key: `k${i}`, doc_count: c }));
    const observed = await observe({ type: 'count', gt }, groups(buckets, other), ['host.name']);
    assert.deepEqual(observed?.keys, buckets.map((b) => ({ key: b.key, value: b.doc_count })));
    assert.equal(observed?.total, counts.reduce((a, b) => a + b, 0) + other);
  }), 200);
});

test('observedLabel with group_by: the total line is named as all keys\' events, the per-key lines apart (count as the other per-key types)', () => {
  const conditions = [
    { type: 'count', gte: 5 },
    { type: 'frequency', num_events: 3, timeframe: 300_000 },
    { type: 'flatline', threshold: 1, timeframe: 300_000 },
    { type: 'cardinality', cardinality_field: 'ip', max_cardinality: 3 },
  ] as unknown as ConditionDef[];
  for (const condition of conditions) {
    const label = observedLabel(condition, true);
    assert.match(label, / \(lines per key; total: events found\)$/, condition.type);
    assert.doesNotMatch(label, /per key\b(?!;)/, condition.type);
    assert.doesNotMatch(observedLabel(condition, false), /per key/, condition.type);
  }
  assert.equal(observedLabel({ type: 'count', gte: 5 } as unknown as ConditionDef, true), 'events per window (lines per key; total: events found)');
});
