import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minutes, MISSING, replayAll, replayBoth, run, type OracleResult } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';
import { LATENCY_SPAN_MINUTES, latencyEvents, SPIKE_SPAN_MINUTES, spikeEvents } from './datasets/spike.js';

const MIN = 60_000;
const world = useWorld();

/** The runs of `key` at the steps ending S+from ... S+to minutes. */
const runs = (S: number, key: string, from: number, to: number) => minutes(from, to).map((m) => run(S + m * MIN, key));

test('oracle spike: both find the first spike up and down per host, after the warm-up; alertcron keeps matching while it spikes and gives events without host.name no key (documented)', async () => {
  const S = uniqueBaseTime();
  const r = await replayBoth(world, {
    name: 'spike-host',
    start: S,
    end: S + SPIKE_SPAN_MINUTES * MIN,
    docs: spikeEvents(S),
    elastalert: { type: 'spike', timeframe: { minutes: 10 }, spike_height: 3, spike_type: 'both', query_key: 'host.name' },
    alertcron: { condition: { type: 'spike', timeframe: '10m', spike_height: 3, spike_type: 'both' }, group_by: 'host.name' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  // Worked by hand over run windows [to-10m, to) against [to-20m, to-10m):
  // db01 (30 per 10 minutes until S+30m): 9 against 30 at S+37m is down (9 <= 30/3), and stays down until its
  // reference empties too (S+50m: nothing on either side is no spike).
  // web01 (10 per 10 minutes, 30 a minute in minutes 50-52): 37 against 10 from S+53m to S+60m is up; once the
  // burst is the reference, 10 against 37 from S+63m to S+70m is down.
  // new01 bursts in its warm-up (first seen S+20m, 2 x timeframe) and is flat after it: never.
  const common = [run(S + 37 * MIN, 'db01'), run(S + 53 * MIN, 'web01')];
  assert.deepEqual(r.alertcron.runs, [...runs(S, 'db01', 37, 49), ...runs(S, 'web01', 53, 60), ...runs(S, 'web01', 63, 70)].sort());
  // ElastAlert2 matches at the event that makes the spike (db01 at the step's closing placeholder), then clears the
  // key's reference and skips it for 2 x timeframe: one match per spike, and web01's way back down is not seen.
  assert.deepEqual(r.elastalert.runs, [...common, run(S + 78 * MIN, MISSING)].sort());
  // The differences, each in docs/rule-types.md's side-by-side table: ElastAlert2 keys events without host.name together
  // ("other") and finds their burst in minutes 75-77; alertcron gives them no key.
  assert.deepEqual(r.onlyElastalert, [run(S + 78 * MIN, MISSING)]);
  // alertcron keeps matching while the key spikes (throttle and resolve_after decide what is sent) instead of
  // clearing the reference for 2 x timeframe after a match.
  assert.deepEqual(r.onlyAlertcron, [...runs(S, 'db01', 38, 49), ...runs(S, 'web01', 54, 60), ...runs(S, 'web01', 63, 70)].sort());
  const web01 = r.elastalert.matches.find((m) => m.key === 'web01')!;
  assert.deepEqual([web01.match.spike_count, web01.match.reference_count], [30, 10]);
});

test('oracle spike with field_value: both find the average going up; threshold_cur applies to the average in alertcron only (documented)', async () => {
  const S = uniqueBaseTime();
  const rule = (threshold: Record<string, number>) => ({
    start: S,
    end: S + LATENCY_SPAN_MINUTES * MIN,
    docs: latencyEvents(S),
    // ElastAlert2 reads field_value as a top-level key of the event and casts it to int: keep it so.
    elastalert: { type: 'spike', timeframe: { minutes: 5 }, spike_height: 2, spike_type: 'up', field_value: 'latency', ...threshold },
    alertcron: { condition: { type: 'spike', timeframe: '5m', spike_height: 2, spike_type: 'up', field_value: 'latency', ...threshold } },
  });
  const [plain, bounded] = (await replayAll(world, [{ name: 'latency', ...rule({}) }, { name: 'latency-cur', ...rule({ threshold_cur: 250 }) }])) as [OracleResult, OracleResult];
  assert.deepEqual([plain.elastalert.errors, bounded.elastalert.errors], [[], []]);
  // Averages over [to-5m, to): 220 against 100 at S+18m, S+19m and S+20m (ElastAlert2 matches at the third 300,
  // then pauses 2 x timeframe); at S+21m 180 against 140.
  assert.deepEqual(plain.alertcron.runs, [run(S + 18 * MIN), run(S + 19 * MIN), run(S + 20 * MIN)]);
  assert.deepEqual(plain.elastalert.runs, [run(S + 18 * MIN)]);
  // threshold_cur 250: the average 220 is under it, so alertcron stays quiet; ElastAlert2 ignores the threshold
  // when it compares averages.
  assert.deepEqual(bounded.alertcron.runs, []);
  assert.deepEqual(bounded.onlyElastalert, [run(S + 18 * MIN)]);
});
