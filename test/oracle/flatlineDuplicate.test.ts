import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minutes, replayBoth, run } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';
import { FLATLINE_TWICE_SPAN_MINUTES, flatlineTwiceEvents } from './datasets/flatlineTwice.js';

const SEC = 1000;
const MIN = 60 * SEC;
const world = useWorld();

test("oracle flatline, ElastAlert2's bug: a key that slows down but keeps sending matches twice per run (FrequencyRule.add_data checks the last event's key, then garbage_collect checks every key again); alertcron matches once per run", async () => {
  const S = uniqueBaseTime();
  const r = await replayBoth(world, {
    name: 'flatline-twice',
    start: S,
    end: S + FLATLINE_TWICE_SPAN_MINUTES * MIN,
    docs: flatlineTwiceEvents(S),
    elastalert: { type: 'flatline', threshold: 10, timeframe: { minutes: 5 }, query_key: 'host.name' },
    alertcron: { condition: { type: 'flatline', threshold: 10, timeframe: '5m' }, group_by: 'host.name' },
  });
  assert.deepEqual(r.elastalert.errors, []);
  // Hand-worked: web01 sends 3 a minute until S+15m, then 1: over [to-5m, to) that is 9 at S+18m, 7 at S+19m, then
  // 5 until the end, all under 10; db01 sends 15 per 5 minutes.
  const steps = minutes(18, FLATLINE_TWICE_SPAN_MINUTES).map((m) => S + m * MIN);
  const runs = steps.map((at) => run(at, 'web01'));
  assert.deepEqual(r.alertcron.runs, runs);
  assert.deepEqual(r.elastalert.runs, runs);
  // The bug: in every one of those steps ElastAlert2 produced two matches for web01, the first at its last event
  // (add_data's final check_for_match, which after a match moves first_event a timeframe back), the second at the
  // step's end (garbage_collect's placeholder). With realert 0 both are sent; alertcron sends one notice per run.
  const at = (ms: number) => new Date(ms).toISOString();
  const expected = steps.flatMap((end) => [`${at(end)} ${at(end - MIN + 55 * SEC)}`, `${at(end)} ${at(end)}`]);
  assert.deepEqual(r.elastalert.matches.map((m) => `${m.step} ${new Date(m.timestamp).toISOString()}`), expected);
  assert.deepEqual(r.alertcron.summary.sent.map((n) => run(n.at, n.key)), runs);
  assert.deepEqual(r.alertcron.summary.sent.map((n) => n.reason), ['first', ...steps.slice(1).map(() => 'repeat')]);
});
