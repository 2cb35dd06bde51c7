import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60_000;
const world = useWorld();

test('cardinality, percentage_match, metric_aggregation, blacklist and whitelist over seeded events, two runs', async () => {
  const T0 = uniqueBaseTime();
  const web = await world.index('aggs-web');
  const auth = await world.index('aggs-auth');
  const request = (at: number, host: string, status: number, bytes: number) => event(at, { 'host.name': host, status, bytes });
  const logon = (at: number, user: string, ip?: string) => event(at, { 'user.name': user, ...(ip ? { 'source.ip': ip } : {}) });
  await indexDocs(world.esUrl, web, [
    // web01: 20 requests from T0-9m every 20s, the first 5 are errors (500), 10 bytes each.
    ...Array.from({ length: 20 }, (_, i) => request(T0 - 9 * MIN + i * 20 * S, 'web01', i < 5 ? 500 : 200, 10)),
    // web02: 10 requests from T0-8m every 30s, the first is an error, 150 bytes each.
    ...Array.from({ length: 10 }, (_, i) => request(T0 - 8 * MIN + i * 30 * S, 'web02', i === 0 ? 500 : 200, 150)),
    // web03: 4 requests from T0-7m every 30s, all errors, 100 bytes each.
    ...Array.from({ length: 4 }, (_, i) => request(T0 - 7 * MIN + i * 30 * S, 'web03', 500, 100)),
  ]);
  await indexDocs(world.esUrl, auth, [
    logon(T0 - 6 * MIN, 'a', '198.51.100.1'), logon(T0 - 5 * MIN, 'b', '198.51.100.1'), logon(T0 - 4 * MIN, 'c', '198.51.100.1'), logon(T0 - 3 * MIN, 'd', '198.51.100.1'),
    logon(T0 - 5 * MIN, 'a', '10.0.0.5'), logon(T0 - 4 * MIN, 'a', '10.0.0.5'), logon(T0 - 3 * MIN, 'b', '10.0.0.5'),
    logon(T0 - 4 * MIN, 'root', '10.0.0.6'),
    logon(T0 - 2 * MIN, 'guest'), logon(T0 - 1 * MIN, 'guest'), // no source.ip
  ]);
  const project = world.project();
  writeFileSync(join(project.dir, 'alerts', 'bad-users.txt'), 'admin\n# a comment line\n\nguest\n');
  mkdirSync(join(project.dir, 'alerts', 'lists'));
  writeFileSync(join(project.dir, 'alerts', 'lists', 'office.txt'), '10.0.0.6\n');
  const base = { every: '1m', throttle: '0s', notify: ['soc-email'] };
  project.writeAlert('spray', { ...base, index: auth, condition: { type: 'cardinality', cardinality_field: 'user.name', timeframe: '10m', max_cardinality: 2 }, group_by: 'source.ip', title: '{{key}}: {{cardinality}} users' });
  project.writeAlert('hosts', { ...base, index: web, condition: { type: 'cardinality', cardinality_field: 'host.name', timeframe: '10m', min_cardinality: 4 }, title: '{{cardinality}} hosts reporting' });
  project.writeAlert('errors', {
    ...base,
    index: web,
    condition: { type: 'percentage_match', match_bucket_filter: [{ term: { status: 500 } }], max_percentage: 10, min_denominator: 5, timeframe: '10m' },
    group_by: 'host.name',
    title: '{{key}}: {{percentage}}% errors ({{match_count}}/{{total}})',
  });
  project.writeAlert('traffic', { ...base, index: web, condition: { type: 'metric_aggregation', metric_agg_key: 'bytes', metric_agg_type: 'sum', max_threshold: 1000, timeframe: '10m' }, group_by: 'host.name', title: '{{key}}: {{metric_value}} bytes' });
  project.writeAlert('big-response', { ...base, index: web, condition: { type: 'metric_aggregation', metric_agg_key: 'bytes', metric_agg_type: 'max', max_threshold: 100 }, title: 'max response {{metric_bytes_max}} bytes' });
  project.writeAlert('bad-users', { ...base, index: auth, condition: { type: 'blacklist', compare_key: 'user.name', blacklist: ['root', '!file bad-users.txt'] }, group_by: 'user.name', title: '{{key}}: {{count}}' });
  project.writeAlert('unknown-sources', { ...base, index: auth, condition: { type: 'whitelist', compare_key: 'source.ip', whitelist: ['10.0.0.5', '!file lists/office.txt'], ignore_null: true }, group_by: 'source.ip', title: '{{key}}: {{count}}' });
  project.writeAlert('unknown-or-none', { ...base, index: auth, condition: { type: 'whitelist', compare_key: 'source.ip', whitelist: ['10.0.0.5', '10.0.0.6'], ignore_null: false }, title: '{{count}} events from unlisted sources' });

  // Run 1 at T0, every window and timeframe is [T0-10m, T0).
  // spray: distinct users per IP: 198.51.100.1 a,b,c,d = 4 > 2; 10.0.0.5 a,b = 2; 10.0.0.6 root = 1.
  // hosts: web01, web02, web03 = 3 < 4.
  // errors: web01 5/20 = 25% > 10; web02 1/10 = 10%, not above 10; web03 4/4 but 4 events < min_denominator 5.
  // traffic: web01 20 x 10 = 200; web02 10 x 150 = 1500 > 1000; web03 4 x 100 = 400.
  // big-response: the largest is 150 > 100.
  // bad-users: root 1, guest 2 (from the file; admin has no events; the comment and empty line are skipped).
  // unknown-sources: IPs not listed, events without one ignored: 198.51.100.1 with 4 events.
  // unknown-or-none: the same 4 plus guest's 2 events without source.ip = 6.
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    spray: ['198.51.100.1: 4 users'],
    hosts: ['3 hosts reporting'],
    errors: ['web01: 25% errors (5/20)'],
    traffic: ['web02: 1500 bytes'],
    'big-response': ['max response 150 bytes'],
    'bad-users': ['guest: 2', 'root: 1'],
    'unknown-sources': ['198.51.100.1: 4'],
    'unknown-or-none': ['6 events from unlisted sources'],
  });

  // Run 2 at T0+5m: the window is [T0, T0+5m) (no events); a timeframe of 10m reaches back to T0-5m.
  // spray: 198.51.100.1 b (T0-5m), c, d = 3 > 2. hosts: web01 (up to T0-2m40s) and web02 (up to T0-3m30s);
  // web03's last is T0-5m30s: 2 < 4. errors: web01 has 8 requests from T0-5m (i = 12..19), none an error;
  // web02 4 (< 5). traffic: web02 4 x 150 = 600, web01 8 x 10 = 80. big-response: no event in the window, no max.
  // The lists see only the window: nothing.
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 5 * MIN)), {
    spray: ['198.51.100.1: 3 users'],
    hosts: ['2 hosts reporting'],
  });
});

test('validate warns when a last-timeframe rule type runs less often than its timeframe (the time between is never looked at)', async () => {
  const project = world.project();
  project.writeAlert('sparse-spike', {
    index: 'logs-*', every: '1h', notify: ['soc-email'], group_by: 'host.name',
    condition: { type: 'spike', timeframe: '10m', spike_height: 3 },
  });
  project.writeAlert('dense-cardinality', {
    index: 'logs-*', every: '5m', notify: ['soc-email'],
    condition: { type: 'cardinality', cardinality_field: 'user.name', timeframe: '10m', max_cardinality: 5 },
  });
  const result = await project.run(['validate']);
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.includes('warning: '));
  assert.deepEqual(warnings, [
    'alerts/sparse-spike.yaml /condition/timeframe: warning: spike looks only at the last timeframe (10m) before each run, and runs are 1h apart: the 50m between is never looked at; make timeframe at least 1h, or every at most 10m',
  ]);
});
