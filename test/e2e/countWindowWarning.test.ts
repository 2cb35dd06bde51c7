// validate warns about a count threshold above 1 that each run checks against only its own one-`every` window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fewestEvents } from '../../src/inspect/countWindowWarnings.js';
import { meetsThreshold } from '../../src/rules/threshold.js';
import { checkProperty } from '../support/property.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

test('validate warns on count gte 10, count gt 1 and a buckets doc_count gte 3 without lookback, naming the file, the bound and the fix', async () => {
  const project = world.project();
  const alert = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ index: 'logs-*', condition, notify: ['soc-email'], ...extra });
  const hosts = { query: { match_all: {} }, aggs: { hosts: { terms: { field: 'host.name' }, aggs: { cpu: { avg: { field: 'cpu' } } } } } };
  project.writeAlert('bursts', alert({ type: 'count', gte: 10 }));
  project.writeAlert('more-than-one', alert({ type: 'count', gt: 1 }, { every: '5m' }));
  project.writeAlert('busy-hosts', alert({ type: 'buckets', path: 'hosts', gte: 3 }, { query: hosts }));
  // No warning: one event is enough, the span is set, or the value is a metric, not a count.
  project.writeAlert('single', alert({ type: 'count', gte: 1 }));
  project.writeAlert('half', alert({ type: 'count', gt: 0.5 }));
  project.writeAlert('windowed', alert({ type: 'count', gte: 10 }, { lookback: '15m' }));
  project.writeAlert('per-run', alert({ type: 'count', gte: 10 }, { lookback: '1m' }));
  project.writeAlert('hot-hosts', alert({ type: 'buckets', path: 'hosts', value: 'cpu.value', gte: 90 }, { query: hosts }));
  project.writeAlert('quiet', alert({ type: 'count', lt: 5 }));
  // Runs an hour apart: the span suggested is the hour, not 15 minutes that would leave 45 unsearched.
  project.writeAlert('hourly', alert({ type: 'count', gte: 10 }, { every: '1h' }));
  // A lookback shorter than every: 4 of each 5 minutes are never searched, whatever the condition.
  project.writeAlert('gappy', alert({ type: 'any' }, { every: '5m', lookback: '1m' }));
  const result = await project.run(['validate']);
  assert.equal(result.code, 0, result.stderr);
  const fix = (least: number, every: string, span = '15m') =>
    `to count over a longer span, set lookback (lookback: ${span} counts the last ${span} at every run) or use type: frequency (num_events: ${least}, timeframe: ${span}); set lookback: ${every} if each run's own ${every} is what you mean`;
  assert.deepEqual(result.stderr.trim().split('\n').sort(), [
    `alerts/bursts.yaml /condition/gte: warning: this count condition needs 10 events within one run's window, and without lookback each run counts only the events since the previous run (every: 1m): ${fix(10, '1m')}`,
    `alerts/busy-hosts.yaml /condition/gte: warning: this buckets condition needs 3 events within one run's window, and without lookback each run counts only the events since the previous run (every: 1m): ${fix(3, '1m')}`,
    `alerts/gappy.yaml /lookback: warning: lookback (1m) is shorter than every (5m): each run searches only its last 1m, so the events of the 4m before that are never counted; set lookback: 5m or more`,
    `alerts/hourly.yaml /condition/gte: warning: this count condition needs 10 events within one run's window, and without lookback each run counts only the events since the previous run (every: 1h): ${fix(10, '1h', '1h')}`,
    `alerts/more-than-one.yaml /condition/gt: warning: this count condition needs 2 events within one run's window, and without lookback each run counts only the events since the previous run (every: 5m): ${fix(2, '5m')}`,
  ]);
  assert.equal(result.stdout, 'OK: 11 alert(s) valid, 0 disabled, 2 channel(s); 5 warning(s)\n', 'no claim that --strict fails on warnings it does not make errors');
});

test('fewestEvents is the least whole number of events a threshold lets through', async () => {
  const bound = fc.option(fc.double({ min: -5, max: 50, noNaN: true }), { nil: undefined });
  await checkProperty(
    'fewestEvents matches meetsThreshold',
    fc.property(bound, bound, (gt, gte) => {
      const threshold = { gt, gte };
      const least = fewestEvents(threshold);
      assert.ok(meetsThreshold(least, threshold), `${least} meets ${JSON.stringify(threshold)}`);
      if (least > 0) assert.ok(!meetsThreshold(least - 1, threshold), `${least - 1} does not meet ${JSON.stringify(threshold)}`);
    }),
    300,
  );
});
