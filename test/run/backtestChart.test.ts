import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChartCollector, KEY_POINTS_BUDGET, KEYS_KEPT } from '../../src/run/backtestChart.js';
import { CHART_KEYS_ALL, CHART_TOP_KEYS } from '../../src/model/backtestChart.js';
import type { Evaluated } from '../../src/run/evaluate.js';
import type { AlertDef } from '../../src/config/types.js';
import { checkProperty, fc } from '../support/property.js';

const MIN = 60_000;
const alert = {
  name: 'a', file: 'alerts/a.yaml', description: '', source: 'elasticsearch', index: 'logs-*', every: MIN, throttle: 3_600_000, ingest_delay: 0,
  max_catchup: 3_600_000, first_lookback: 600_000, samples: 0, notify: ['mail'], high_risk_words: [], title: 't', query: {},
  condition: { type: 'count', gte: 5 }, group_by: ['user.name'], group_size: 100, timestamp_field: '@timestamp',
} as unknown as AlertDef;

function evaluated(keys: { key: string; value: number }[]): Evaluated[] {
  const total = keys.reduce((s, k) => s + k.value, 0);
  return [{ alert, window: { from: 0, to: MIN }, request: { body: { size: 0 } }, ok: true, findings: [], observed: { total, keys } }];
}

const totals = (steps: number) => ({ span: { from: 0, to: steps * MIN }, every: MIN, steps, requests: 1, failedSteps: 0, errors: [] as string[] });

test('chart: skipped steps count 0, failed ones null; notices, held findings and failures become markers at their step', () => {
  const c = new ChartCollector(alert, 4);
  c.skipped(0, { body: {} });
  c.evaluated(1, evaluated([{ key: 'x', value: 6 }]));
  c.decided(1, 2 * MIN, [{ key: 'x', count: 6, decision: 'first', notify: true, title: '', message: '' }]);
  c.evaluated(2, evaluated([{ key: 'x', value: 7 }]));
  c.decided(2, 3 * MIN, [{ key: 'x', count: 7, decision: 'throttled', notify: false, title: '', message: '' }]);
  c.evaluated(3, [{ alert, window: { from: 0, to: 0 }, request: {}, ok: false, error: 'boom' }]);
  c.decided(3, 4 * MIN, [], 'boom');
  const chart = c.build({ ...totals(4), failedSteps: 1, notices: [{ at: 2 * MIN, key: 'x', reason: 'first', title: 't', channels: ['mail'] }, { at: 4 * MIN, key: 'x', reason: 'tier-2', title: 't', channels: ['mail'] }] });
  assert.deepEqual(chart.total, [0, 6, 7, null]);
  assert.deepEqual(chart.keys, [{ key: 'x', values: [null, 6, 7, null] }]);
  assert.deepEqual(chart.markers.map((m) => [m.step, m.kind, m.reason]), [[1, 'sent', 'first'], [2, 'held', 'throttled'], [3, 'failed', 'boom'], [3, 'escalated', 'tier-2']]);
  assert.deepEqual(chart.thresholds, [{ value: 5, label: 'gte 5' }]);
  assert.equal(chart.keysShown, 'all');
  assert.equal(chart.settings.group_by, 'user.name');
  assert.equal(chart.settings.condition, '{"type":"count","gte":5}');
  const frequency = { ...alert, condition: { type: 'frequency', num_events: 3, timeframe: 300_000, resolution: 5_000 } } as unknown as AlertDef;
  assert.equal(new ChartCollector(frequency, 1).build({ ...totals(1), notices: [] }).settings.condition, '{"type":"frequency","num_events":3,"timeframe":"5m","resolution":"5s"}');
  const script = { ...alert, condition: { type: 'script', module: 'm.mjs', modulePath: '/abs/m.mjs', options: { token: 'secret' }, timeout: 5000 } } as unknown as AlertDef;
  assert.doesNotMatch(new ChartCollector(script, 1).build({ ...totals(1), notices: [] }).settings.condition!, /secret|abs/);
});

test('chart: with more keys than CHART_KEYS_ALL, the top keys by notices, then peak; 10,080 steps of many keys stay within the budget', () => {
  const steps = 10_080;
  const keys = 200; // 2,016,000 values: over the budget, trimmed to the best KEYS_KEPT keys
  const c = new ChartCollector(alert, steps);
  const notices = [{ at: 5 * MIN, key: 'k3', reason: 'first', title: '', channels: [] }, { at: 9 * MIN, key: 'k3', reason: 'repeat', title: '', channels: [] }, { at: 7 * MIN, key: 'k9', reason: 'first', title: '', channels: [] }];
  // A notice of k199 late in the span, after k199 (no notice, a low peak) was let go at the first trim.
  const late = { at: (steps - 1) * MIN, key: 'k199', reason: 'first', title: '', channels: [] };
  for (let i = 0; i < steps; i++) {
    c.evaluated(i, evaluated(Array.from({ length: keys }, (_, k) => ({ key: `k${k}`, value: (k * 7 + i) % 50 + (k === 150 ? 100 : 0) }))));
    // As the backtest does: each step's notices right after the step.
    c.noticed([...notices, late].filter((n) => Math.ceil(n.at / MIN) - 1 === i));
  }
  assert.ok((c as unknown as { points: number }).points <= KEY_POINTS_BUDGET);
  c.decided(5, 6 * MIN, [{ key: 'k3', count: 1, decision: 'throttled', notify: false, title: '', message: '' }, { key: 'k77', count: 1, decision: 'throttled', notify: false, title: '', message: '' }]);
  const chart = c.build({ ...totals(steps), notices: [...notices, late] });
  assert.equal(chart.keysShown, 'top');
  assert.equal(chart.keysTotal, keys);
  assert.equal(chart.keys.length, CHART_TOP_KEYS);
  // k199 has a notice but its values were let go: it gets no line (not an empty one); the chart says how many were let go.
  assert.deepEqual(chart.keys.slice(0, 3).map((k) => k.key), ['k3', 'k9', 'k150']);
  assert.equal(chart.keysLetGo, keys - KEYS_KEPT);
  // Every key drawn has its complete line: a value at every step, as it was given one at every step.
  for (const k of chart.keys) assert.equal(k.values.filter((v) => v !== null).length, steps, k.key);
  // Held findings are marked for the keys shown only (k77 has no line).
  assert.deepEqual(chart.markers.filter((m) => m.kind === 'held').map((m) => m.key), ['k3']);
  // k150 (the highest peak) was among the keys kept: its values are complete.
  assert.equal(chart.keys[2]!.values.filter((v) => v !== null).length, steps);
  assert.ok(KEYS_KEPT >= CHART_TOP_KEYS);
});

test('property: the chart keeps every value it was given: the total per step, and per key where there are few keys', async () => {
  const step = fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', '<script>', 'é"\''), value: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 5 }).map((ks) => [...new Map(ks.map((k) => [k.key, k])).values()]);
  await checkProperty('chart keeps values', fc.property(fc.array(fc.option(step, { nil: undefined }), { minLength: 1, maxLength: 60 }), (series) => {
    const c = new ChartCollector(alert, series.length);
    series.forEach((ks, i) => (ks === undefined ? c.skipped(i, {}) : c.evaluated(i, evaluated(ks))));
    const chart = c.build({ ...totals(series.length), notices: [] });
    assert.deepEqual(chart.total, series.map((ks) => (ks === undefined ? 0 : ks.reduce((s, k) => s + k.value, 0))));
    const seen = new Set(series.flatMap((ks) => (ks ?? []).map((k) => k.key)));
    assert.equal(chart.keysTotal, seen.size);
    assert.ok(seen.size <= CHART_KEYS_ALL);
    for (const { key, values } of chart.keys) assert.deepEqual(values, series.map((ks) => ks?.find((k) => k.key === key)?.value ?? null));
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(chart)));
  }), 300);
});
