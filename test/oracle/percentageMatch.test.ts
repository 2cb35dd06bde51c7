import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayAll, run, type OracleResult } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';
import { AGGREGATES_SPAN_MINUTES, percentageEvents } from './datasets/aggregates.js';

const MIN = 60_000;
const world = useWorld();
const ERRORS = [{ term: { 'http.status': 500 } }];
// ElastAlert2 searches an aggregation rule's buffer_time (45m) unless use_run_every_query_size: each run's minute, as alertcron.
const EA_WINDOW = { use_run_every_query_size: true };

test("oracle percentage_match: per host, above max, below min, exactly on a bound, under min_denominator; compound key: ElastAlert2's crash named, alertcron's hand-worked answer", async () => {
  const S = uniqueBaseTime();
  const base = { start: S, end: S + AGGREGATES_SPAN_MINUTES * MIN, docs: percentageEvents(S) };
  const [host, pair] = (await replayAll(world, [
    {
      ...base,
      name: 'error-share',
      elastalert: { type: 'percentage_match', match_bucket_filter: ERRORS, max_percentage: 20, min_percentage: 1, min_denominator: 5, query_key: 'host.name', ...EA_WINDOW },
      alertcron: { condition: { type: 'percentage_match', match_bucket_filter: ERRORS, max_percentage: 20, min_percentage: 1, min_denominator: 5 }, group_by: 'host.name' },
    },
    {
      ...base,
      name: 'error-share-pair',
      elastalert: { type: 'percentage_match', match_bucket_filter: ERRORS, max_percentage: 20, min_denominator: 5, query_key: ['host.name', 'service.name'], ...EA_WINDOW },
      alertcron: { condition: { type: 'percentage_match', match_bucket_filter: ERRORS, max_percentage: 20, min_denominator: 5 }, group_by: ['host.name', 'service.name'] },
    },
  ])) as [OracleResult, OracleResult];
  assert.deepEqual(host.elastalert.errors, []);
  // Minute 2: web01 30% (above 20), web02 20% (not above: bounds are exclusive). Minute 4: web01 has 4 events
  // (under min_denominator 5), web02 0% (below 1). Minute 6: web01 16.67%. Minute 8: web02 20%. Events without
  // host.name have no key in either.
  const runs = [run(S + 3 * MIN, 'web01'), run(S + 5 * MIN, 'web02')];
  assert.deepEqual(host.elastalert.runs, runs);
  assert.deepEqual(host.alertcron.runs, runs);
  assert.deepEqual(host.elastalert.matches.map((m) => m.match.percentage), [30, 0]);

  // ElastAlert2's bug: with a compound query_key the aggregation nests one terms level per field, but
  // PercentageMatchRule.check_matches reads percentage_match_aggs from the first level's bucket (only
  // MetricAggregationRule walks the levels): KeyError at the first step with events, and the rule is disabled.
  assert.deepEqual(pair.elastalert.errors, [{ step: new Date(S + 3 * MIN).toISOString(), error: "KeyError: 'percentage_match_aggs'" }]);
  assert.deepEqual(pair.elastalert.runs, []);
  // Hand-worked per host and service: web01/api 30% in minute 2 and 33.33% in minute 6; web02/api 20%, web01/shop
  // 0% (no min_percentage here), web02/shop 20%, web01/api with 4 events: none.
  assert.deepEqual(pair.alertcron.runs, [run(S + 3 * MIN, 'web01, api'), run(S + 7 * MIN, 'web01, api')]);
});
