import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayAll, run, type OracleResult } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';
import { AGGREGATES_SPAN_MINUTES, metricEvents } from './datasets/aggregates.js';

const MIN = 60_000;
const world = useWorld();
const CPU = { metric_agg_key: 'system.cpu.pct' };
// ElastAlert2 searches an aggregation rule's buffer_time (45m) unless use_run_every_query_size: each run's minute, as alertcron.
const EA_WINDOW = { use_run_every_query_size: true };

test('oracle metric_aggregation: an average above max and below min, exactly on both bounds, a key with no values, missing key; a compound key per host and service', async () => {
  const S = uniqueBaseTime();
  const base = { start: S, end: S + AGGREGATES_SPAN_MINUTES * MIN, docs: metricEvents(S) };
  const [host, pair] = (await replayAll(world, [
    {
      ...base,
      name: 'cpu-avg',
      elastalert: { type: 'metric_aggregation', ...CPU, metric_agg_type: 'avg', max_threshold: 0.9, min_threshold: 0.05, query_key: 'host.name', ...EA_WINDOW },
      alertcron: { condition: { type: 'metric_aggregation', ...CPU, metric_agg_type: 'avg', max_threshold: 0.9, min_threshold: 0.05 }, group_by: 'host.name' },
    },
    {
      ...base,
      name: 'cpu-max-pair',
      elastalert: { type: 'metric_aggregation', ...CPU, metric_agg_type: 'max', max_threshold: 0.9, query_key: ['host.name', 'service.name'], ...EA_WINDOW },
      alertcron: { condition: { type: 'metric_aggregation', ...CPU, metric_agg_type: 'max', max_threshold: 0.9 }, group_by: ['host.name', 'service.name'] },
    },
  ])) as [OracleResult, OracleResult];
  assert.deepEqual([host.elastalert.errors, pair.elastalert.errors], [[], []]);
  // Minute 1: db01 0.96 (above 0.9). Minute 3: db01 exactly 0.9 (as a float, just under), app01 0.04 (below 0.05).
  // Minute 5: app01 0.595; db01 without a value (no average: not compared). Minute 7: app01 exactly 0.05 (as a
  // float, just over); 0.99 without host.name has no key.
  const runs = [run(S + 2 * MIN, 'db01'), run(S + 4 * MIN, 'app01')];
  assert.deepEqual(host.elastalert.runs, runs);
  assert.deepEqual(host.alertcron.runs, runs);
  // Compound: the maximum per host and service is above 0.9 for db01/sql in minute 1 and app01/api in minute 5.
  // ElastAlert2's aggregation rules join a compound key with "," (its document rules and alertcron with ", ").
  assert.deepEqual(pair.elastalert.runs, [run(S + 2 * MIN, 'db01,sql'), run(S + 6 * MIN, 'app01,api')]);
  assert.deepEqual(pair.alertcron.runs, [run(S + 2 * MIN, 'db01, sql'), run(S + 6 * MIN, 'app01, api')]);
});
