// `test <alert>` evaluates the window a run searches (not the 5 minutes it sums up hits over), and says which is which.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AlertDef } from '../../src/config/types.js';
import { SUMMARY_SPAN_MS, testPlan } from '../../src/commands/test.js';
import { checkProperty } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** 7 logons of root in the last minute before T and 5 more between 2 and 4 minutes before: 12 in the last 5 minutes. */
async function burstIndex(T: number): Promise<string> {
  const index = await world.index('auth-testwindow');
  const recent = Array.from({ length: 7 }, (_, i) => logonEvent(T - 50_000 + i * 5_000, 'root'));
  const earlier = Array.from({ length: 5 }, (_, i) => logonEvent(T - 4 * MIN + i * 20_000, 'root'));
  await indexDocs(world.esUrl, index, [...recent, ...earlier]);
  return index;
}

test('test evaluates count gte 10 over the one-minute window a run searches: 7 hits there, no NOTIFY; the summary counts 12 over 5 minutes', async () => {
  const T = uniqueBaseTime();
  const index = await burstIndex(T);
  const project = world.project();
  project.writeAlert('bursts', { index, condition: { type: 'count', gte: 10 }, notify: ['soc-email'] });
  const result = await project.run(['test', 'bursts'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n');
  const head = lines.findIndex((line) => line.startsWith('bursts ['));
  assert.deepEqual(lines.slice(head, head + 7), [
    `bursts [${iso(T - MIN)} .. ${iso(T)}): 0 finding(s)`,
    '  evaluated as a run would, over the window a run searches: the last 1m (every: each run searches from where the last one ended)',
    '  this alert has not run yet: its first run searches the last 10m (first_lookback) once, the runs after it the window above',
    "  hits in the run's search before condition and grouping: 7",
    `  hit summary over [${iso(T - 5 * MIN)} .. ${iso(T)}) (--from/--to; only counted, not evaluated):`,
    `    hits before condition and grouping: 12 (${index}: 12)`,
    '    keys: 1 (no group_by: all hits are one key)',
  ]);
  assert.doesNotMatch(result.stdout, /NOTIFY/);
  assert.equal(project.state(), undefined, 'test touches no state');

  const json = await project.run(['test', 'bursts', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.alerts[0].window, { from: iso(T - MIN), to: iso(T) });
  assert.deepEqual(report.alerts[0].findings, []);
  assert.deepEqual(report.explanations[0], { alert: 'bursts', span: { from: iso(T - 5 * MIN), to: iso(T) }, windowHits: 7, hits: { total: 12, perIndex: [{ index, hits: 12 }] }, warnings: [] });

  // Once it has run, the note is gone: the runs after the first search one every at a time.
  const ran = await project.run(['run'], { ALERTCRON_NOW: iso(T - 30_000) });
  assert.equal(ran.code, 0, ran.stderr);
  const after = await project.run(['test', 'bursts'], { ALERTCRON_NOW: iso(T) });
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /^ {2}evaluated as a run would, over the window a run searches: the last 1m .*\n {2}hits in the run's search before condition and grouping: 7\n/m);
  assert.doesNotMatch(after.stdout, /has not run yet/);
});

test('test with lookback: 5m evaluates the 12 hits a run counts and would notify; --from/--to move only the summary; --to places the run', async () => {
  const T = uniqueBaseTime();
  const index = await burstIndex(T);
  const project = world.project();
  project.writeAlert('bursts', { index, condition: { type: 'count', gte: 10 }, lookback: '5m', notify: ['soc-email'] });
  const result = await project.run(['test', 'bursts', '--from', '1h'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^bursts \\[${iso(T - 5 * MIN).replace(/\./g, '\\.')} \\.\\. ${iso(T).replace(/\./g, '\\.')}\\): 1 finding\\(s\\)\n {2}key "_all" count 12: NOTIFY \\(first, next repeat after `, 'm'));
  assert.match(result.stdout, /^ {2}evaluated as a run would, over the window a run searches: the last 5m \(lookback\)$/m);
  assert.match(result.stdout, new RegExp(`^ {2}hit summary over \\[${iso(T - 60 * MIN).replace(/\./g, '\\.')} \\.\\. `, 'm'));

  // A run 10 minutes later searches [T+5m, T+10m): nothing there, whatever the summary's span holds.
  const later = await project.run(['test', 'bursts', '--from', iso(T - 10 * MIN), '--to', iso(T + 10 * MIN)], { ALERTCRON_NOW: iso(T + 60 * MIN) });
  assert.equal(later.code, 0, later.stderr);
  assert.match(later.stdout, new RegExp(`^bursts \\[${iso(T + 5 * MIN).replace(/\./g, '\\.')} \\.\\. ${iso(T + 10 * MIN).replace(/\./g, '\\.')}\\): 0 finding\\(s\\)$`, 'm'));
  assert.match(later.stdout, /^ {4}hits before condition and grouping: 12 /m);
});

test('testPlan: the evaluated window is a run\'s (lookback or every, ending ingest_delay before --to); the summary ends at --to and holds the window unless --from cuts it', async () => {
  const ms = (max: number) => fc.integer({ min: 1, max });
  await checkProperty(
    'test evaluates the run window and sums hits over the summary span',
    fc.property(ms(86_400_000), fc.option(ms(86_400_000), { nil: undefined }), fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 0, max: 4e12 }), fc.option(ms(7 * 86_400_000), { nil: undefined }), (every, lookback, delay, to, back) => {
      const alert = { source: 'elasticsearch', every, lookback, ingest_delay: delay } as unknown as AlertDef;
      const from = back === undefined ? undefined : to - back;
      const { window, span } = testPlan(alert, to, from);
      assert.deepEqual(window, { from: to - delay - (lookback ?? every), to: to - delay });
      assert.equal(span!.to, to);
      if (from !== undefined) assert.equal(span!.from, from);
      else assert.equal(span!.from, Math.min(to - SUMMARY_SPAN_MS, window!.from));
    }),
    300,
  );
  // Another source's alert (an incident queue) reads what --from/--to say, or the next run's window.
  const hive = { source: 'thehive', every: 60_000, ingest_delay: 0 } as unknown as AlertDef;
  assert.deepEqual(testPlan(hive, 10_000_000, 9_000_000), { window: { from: 9_000_000, to: 10_000_000 } });
  assert.deepEqual(testPlan(hive, 10_000_000, undefined), {});
});

test('test --from counts exactly [--from, --to) in its hit summary, not the shorter span a cardinality timeframe searches', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-testspan');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30 * MIN, 'root'), logonEvent(T - 2 * MIN, 'alice')]);
  const project = world.project();
  project.writeAlert('card', { index, condition: { type: 'cardinality', cardinality_field: 'winlog.event_data.TargetUserName', max_cardinality: 5, timeframe: '5m' }, notify: ['soc-email'] });
  const result = await project.run(['test', 'card', '--from', '1h'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^ {2}hit summary over \\[${iso(T - 60 * MIN).replace(/\./g, '\\.')} \\.\\. ${iso(T).replace(/\./g, '\\.')}\\) .*\n {4}hits before condition and grouping: 2 \\(${index}: 2\\)$`, 'm'));
});
