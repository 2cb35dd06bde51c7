import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';
import { checkProperty, fc } from '../support/property.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const world = useWorld();

/** A time on a whole hour, so that steps fall on known minutes. */
function wholeHour(): number {
  return Math.floor(uniqueBaseTime() / HOUR) * HOUR;
}

/** The data-alert names of a chart page's sections, in order, and the page's chart data (one entry per section). */
function pageOf(html: string): { alerts: string[]; data: any[] } {
  const alerts = [...html.matchAll(/<section class="alert"[^>]*\bdata-alert="([^"]*)"/g)].map((m) => m[1]!);
  const scripts = [...html.matchAll(/<script type="application\/json" class="chart-data">([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1, 'one chart-data element');
  return { alerts, data: JSON.parse(scripts[0]![1]!) };
}

/** What the page's data must hold of a chart as --json reports it: every value and marker at full resolution. */
function drawnOf(chart: any): Record<string, unknown> {
  return { alert: chart.alert, steps: chart.steps, every: chart.every, total: chart.total, keys: chart.keys, markers: chart.markers.map((m: any) => [m.step, m.kind, m.key, m.reason]) };
}

const fromPage = (entry: any) => ({ alert: entry.alert, steps: entry.steps, every: entry.every, total: entry.total, keys: entry.keys, markers: entry.markers });

test('backtest --html: the value each rule type compared per step comes back exactly as seeded, for several alerts on one page, and equals --json', async () => {
  const T = wholeHour();
  const S = T - 2 * HOUR; // 120 one-minute steps
  const index = await world.index('auth-backtest-chart');
  // Minute m of the span holds perMinute[m] logons by alice and m % 3 by bob (none in most minutes).
  const perMinute = Array.from({ length: 120 }, (_, m) => (m % 10 === 4 ? 5 : m % 17 === 0 ? 2 : 0));
  const docs: Record<string, unknown>[] = [];
  perMinute.forEach((n, m) => {
    for (let k = 0; k < n; k++) docs.push(logonEvent(S + m * MIN + (k + 1) * SEC, 'alice'));
    for (let k = 0; k < m % 3; k++) docs.push(logonEvent(S + m * MIN + 30 * SEC + k * SEC, 'bob'));
  });
  await indexDocs(world.esUrl, index, docs);
  const project = world.project();
  // Ungrouped, a threshold of 3: steps without events are never searched (the date histogram) and count 0.
  project.writeAlert('bursts', { index, query: { query: { term: { 'winlog.event_data.TargetUserName': 'alice' } } }, condition: { type: 'count', gt: 3 }, every: '1m', throttle: '15m', notify: ['soc-email'] });
  // Grouped: every step searched; alice's and bob's values per key.
  project.writeAlert('per-user', { index, condition: { type: 'count', gte: 0 }, group_by: 'winlog.event_data.TargetUserName', every: '1m', throttle: '1h', notify: ['soc-email'] });
  const page = join(project.dir, 'out', 'report.html');
  mkdirSync(join(project.dir, 'out'));
  const json = await project.run(['test', 'bursts', 'per-user', '--backtest', '2h', '--json', '--html', page], { ALERTCRON_NOW: iso(T) });
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stderr, new RegExp(`backtest charts of 2 alert\\(s\\) written to ${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const summaries = JSON.parse(json.stdout);
  assert.equal(summaries.length, 2);
  const [bursts, perUser] = summaries.map((s: any) => s.chart);

  assert.equal(bursts.steps, 120);
  assert.deepEqual(bursts.total, perMinute, 'the hits of each one-minute step, 0 for the steps the histogram found empty');
  assert.deepEqual(bursts.thresholds, [{ value: 3, label: 'gt 3' }]);
  assert.deepEqual(bursts.keys, []);
  // 5 logons at minutes 4, 14, 24 ...: a finding at each (run at the step's end); the 15m throttle sends every
  // other one and holds the rest.
  const fired = perMinute.map((n, m) => [n, m] as const).filter(([n]) => n > 3).map(([, m]) => m);
  const sent = bursts.markers.filter((m: any) => m.kind === 'sent').map((m: any) => m.step);
  const held = bursts.markers.filter((m: any) => m.kind === 'held').map((m: any) => [m.step, m.reason]);
  assert.deepEqual(sent, fired.filter((_, j) => j % 2 === 0));
  assert.deepEqual(held, fired.filter((_, j) => j % 2 === 1).map((m) => [m, 'throttled']));
  assert.equal(bursts.notices.length, sent.length);
  assert.equal(bursts.notices[0].at, S + (fired[0]! + 1) * MIN);
  assert.equal(bursts.settings.throttle, '15m');
  assert.ok(JSON.stringify(bursts.query).includes('alice'), 'the query of the last searched step');

  assert.deepEqual(perUser.total, perMinute.map((n, m) => n + (m % 3)));
  assert.equal(perUser.keysShown, 'all');
  assert.equal(perUser.keysTotal, 2);
  const alice = perUser.keys.find((k: any) => k.key === 'alice');
  const bob = perUser.keys.find((k: any) => k.key === 'bob');
  assert.deepEqual(alice.values, perMinute.map((n) => (n ? n : null)), 'a key has a value at the steps where it had events');
  assert.deepEqual(bob.values, perMinute.map((_, m) => (m % 3 ? m % 3 : null)));

  // The page: one section per alert in order, its chart data the same as --json's, readable by a web server.
  const html = readFileSync(page, 'utf8');
  assert.equal(statSync(page).mode & 0o777, 0o644);
  const shown = pageOf(html);
  assert.deepEqual(shown.alerts, ['bursts', 'per-user']);
  assert.deepEqual(shown.data.map(fromPage), [drawnOf(bursts), drawnOf(perUser)]);
  assert.doesNotMatch(html, /<script[^>]+src=/);

  // One alert's --json stays its summary object (no chart without --html).
  const one = await project.run(['test', 'bursts', '--backtest', '2h', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(one.code, 0, one.stderr);
  const summary = JSON.parse(one.stdout);
  assert.equal(Array.isArray(summary), false);
  assert.equal(summary.chart, undefined);
  const { chart: _chart, ...withoutChart } = summaries[0];
  assert.deepEqual(summary, withoutChart);
});

test('backtest --html of a folder: every alert file in it replayed, a queue alert named and skipped; --html alone is a usage error', async () => {
  const T = wholeHour();
  const S = T - HOUR;
  const index = await world.index('auth-backtest-folder');
  await indexDocs(world.esUrl, index, [logonEvent(S + 10 * MIN + SEC, 'carol'), logonEvent(S + 40 * MIN + SEC, 'carol')]);
  const project = world.project({ extraConfig: { thehive: { url: 'http://127.0.0.1:9/thehive', api_key: '${HIVE_KEY}', timeout: '2s' } } });
  mkdirSync(join(project.dir, 'alerts', 'auth'));
  const alert = (extra: Record<string, unknown>) => JSON.stringify({ index, every: '5m', notify: ['soc-email'], ...extra });
  writeFileSync(join(project.dir, 'alerts', 'auth', 'b-any.yaml'), alert({ condition: { type: 'any' } }));
  writeFileSync(join(project.dir, 'alerts', 'auth', 'a-count.yaml'), alert({ condition: { type: 'count', gte: 2 }, lookback: '1h' }));
  writeFileSync(join(project.dir, 'alerts', 'auth', 'hive.yaml'), JSON.stringify({ source: 'thehive', notify: ['soc-email'] }));
  project.writeAlert('elsewhere', { index, condition: { type: 'any' }, notify: ['soc-email'] });
  const page = join(project.dir, 'auth.html');
  const env = { ALERTCRON_NOW: iso(T), HIVE_KEY: 'hive-key' };
  const result = await project.run(['test', 'alerts/auth', '--backtest', '1h', '--html', 'auth.html'], env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /alert hive reads a current queue \(thehive\), not a time window of past events: not replayed/);
  assert.match(result.stdout, /^backtest of a-count: 12 runs/m);
  assert.match(result.stdout, /^backtest of b-any: 12 runs/m);
  assert.match(result.stdout, new RegExp(`backtest charts of 2 alert\\(s\\) written to ${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  const shown = pageOf(readFileSync(page, 'utf8'));
  assert.deepEqual(shown.alerts, ['a-count', 'b-any']);
  // any: the events of each 5-minute step (carol at minutes 10 and 40); count with a 1h lookback: the events so far.
  assert.deepEqual(shown.data[1].total, [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual(shown.data[0].total, [0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);

  const lone = await project.run(['test', 'a-count', '--html', 'x.html'], env);
  assert.equal(lone.code, 64);
  assert.match(lone.stderr, /--html draws the charts of a backtest: add --backtest <span>/);
  const several = await project.run(['test', 'a-count', 'b-any'], env);
  assert.equal(several.code, 64);
  assert.match(several.stderr, /test runs one alert \(2 given\): to replay several, add --backtest <span>/);
  const named = await project.run(['test', 'hive', '--backtest', '1h'], env);
  assert.equal(named.code, 3, 'a queue alert named on its own is an error, as before');
  const unknown = await project.run(['test', 'a-count', 'nope', '--backtest', '1h'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no alert named nope could be loaded \(alerts: /);
});

test('backtest --html into a missing folder, a file or a folder: a usage error naming the path and the fix, before anything is replayed', async () => {
  const project = world.project();
  const index = await world.index('auth-backtest-target');
  project.writeAlert('target', { index, condition: { type: 'any' }, every: '5m', notify: ['soc-email'] });
  writeFileSync(join(project.dir, 'plain'), '');
  mkdirSync(join(project.dir, 'taken.html'));
  const cases: [string, RegExp][] = [
    ['missing/report.html', /--html missing\/report\.html: the folder \S+\/missing does not exist; create it \(mkdir -p \S+\/missing\) or name a file in an existing folder/],
    ['plain/report.html', /--html plain\/report\.html: \S+\/plain is a file, not a folder/],
    ['taken.html', /--html taken\.html: \S+\/taken\.html is a folder; name a file/],
  ];
  for (const [html, message] of cases) {
    const result = await project.run(['test', 'target', '--backtest', '1h', '--html', html], { ALERTCRON_NOW: iso(wholeHour()) });
    assert.equal(result.code, 64, `${html}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /internal error|\.tmp-/);
    assert.doesNotMatch(result.stdout, /backtest of target/, 'nothing replayed');
  }
});

test('backtest --json --html: cardinality, flatline, percentage_match and metric_aggregation chart the value they compared at each step, against the real engine', async () => {
  const T = wholeHour();
  const S = T - 30 * MIN;
  const index = await world.index('auth-backtest-chart-types');
  // Minute m holds n = m % 4 + 1 logons, by users u0 .. u(n-1); only u0's failed (4625).
  const n = Array.from({ length: 30 }, (_, m) => (m % 4) + 1);
  const docs = n.flatMap((count, m) => Array.from({ length: count }, (_, k) => logonEvent(S + m * MIN + (k + 1) * SEC, `u${k}`, { code: k === 0 ? '4625' : '4624' })));
  await indexDocs(world.esUrl, index, docs);
  const project = world.project();
  const base = { index, every: '1m', notify: ['soc-email'] };
  project.writeAlert('c-distinct', { ...base, condition: { type: 'cardinality', cardinality_field: 'winlog.event_data.TargetUserName', timeframe: '1m', max_cardinality: 3 } });
  project.writeAlert('f-quiet', { ...base, condition: { type: 'flatline', threshold: 3, timeframe: '2m' } });
  project.writeAlert('p-failed', { ...base, condition: { type: 'percentage_match', match_bucket_filter: { term: { 'event.code': '4625' } }, max_percentage: 50 } });
  project.writeAlert('m-count', { ...base, condition: { type: 'metric_aggregation', metric_agg_key: 'winlog.event_data.TargetUserName', metric_agg_type: 'value_count', max_threshold: 3 } });
  const result = await project.run(['test', 'c-distinct', 'f-quiet', 'p-failed', 'm-count', '--backtest', '30m', '--json', '--html', 'types.html'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const charts = Object.fromEntries(JSON.parse(result.stdout).map((s: any) => [s.alert, s.chart]));
  assert.deepEqual(charts['c-distinct'].total, n);
  assert.deepEqual(charts['c-distinct'].thresholds, [{ value: 3, label: 'max_cardinality 3' }]);
  assert.deepEqual(charts['f-quiet'].total, n.map((count, m) => count + (n[m - 1] ?? 0)));
  assert.deepEqual(charts['p-failed'].total, n.map((count) => (1 / count) * 100));
  assert.deepEqual(charts['m-count'].total, n);
  // A step fires where the value is past the threshold: the markers sit at those steps (first, then held by the throttle).
  const fired = (chart: any) => chart.markers.filter((m: any) => m.kind === 'sent' || m.kind === 'held').map((m: any) => m.step);
  assert.deepEqual(fired(charts['c-distinct']), n.flatMap((count, m) => (count > 3 ? [m] : [])));
  assert.deepEqual(fired(charts['p-failed']), n.flatMap((count, m) => ((1 / count) * 100 > 50 ? [m] : [])));
  assert.deepEqual(fired(charts['f-quiet']), n.flatMap((count, m) => (count + (n[m - 1] ?? 0) < 3 ? [m] : [])));
});
