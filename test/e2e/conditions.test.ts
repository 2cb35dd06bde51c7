import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

test('buckets: a threshold on a metric inside the user\'s aggregation, one finding per bucket', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-buckets');
  const docs = [
    ...['alice', 'bob', 'carol'].map((u) => logonEvent(T - MIN, u, { host: 'web01' })),
    logonEvent(T - MIN, 'alice', { host: 'web02' }),
  ];
  await indexDocs(world.esUrl, index, docs);
  const project = world.project();
  project.writeAlert('many-users-per-host', {
    index,
    query: { aggs: { by_host: { terms: { field: 'host.name' }, aggs: { users: { cardinality: { field: 'winlog.event_data.TargetUserName' } } } } } },
    condition: { type: 'buckets', path: 'by_host', value: 'users.value', gte: 3 },
    notify: ['soc-email'],
    title: '{{key}}: {{users}} distinct users',
  });
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(report.alerts[0].findings.map((f: { key: string; count: number }) => [f.key, f.count]), [['web01', 3]]);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['web01: 3 distinct users']);
});

test('script: a JavaScript module that returns [matched, message] like the classic scripts, and one that returns findings', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-script');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'svc-backup', { ip: '203.0.113.9' }), logonEvent(T - MIN, 'alice')]);
  const project = world.project();
  writeFileSync(join(project.dir, 'alerts', 'external.mjs'), [
    'export function match({ hits, options }) {',
    '  const outside = hits.filter((h) => !h.source.ip.startsWith(options.internal));',
    '  return [outside.length > 0, `logons from outside: ${outside.map((h) => h.source.ip).join(", ")}`];',
    '}',
  ].join('\n'));
  writeFileSync(join(project.dir, 'alerts', 'per-user.mjs'), 'export default ({ hits }) => hits.map((h) => ({ key: h.winlog.event_data.TargetUserName, count: 1 }));\n');
  project.writeAlert('external-logons', { index, condition: { type: 'script', module: 'external.mjs', options: { internal: '10.' } }, samples: 10, notify: ['soc-email'], title: 'External logon' });
  project.writeAlert('each-user', { index, condition: { type: 'script', module: 'per-user.mjs' }, samples: 10, notify: ['soc-slack'], title: 'user {{key}}' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(world.smtp.messages.length, 1);
  assert.match(world.smtp.messages[0]!.raw, /logons from outside: 203\.0\.113\.9/);
  const titles = (world.slack.accepted() as { text: string }[]).map((p) => p.text).sort();
  assert.deepEqual(titles, ['user alice', 'user svc-backup']);
});

test('script errors carry the script\'s path and line: a runtime error, a syntax error, a thrown string', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-script-errors');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice')]);
  const project = world.project();
  mkdirSync(join(project.dir, 'alerts', 'rules'));
  writeFileSync(join(project.dir, 'alerts', 'rules', 'boom.mjs'), 'export function match({ hits }) {\n  const first = hits[0];\n  return first.no.such.field;\n}\n');
  writeFileSync(join(project.dir, 'alerts', 'rules', 'typo.mjs'), 'export function match() {\n  return [true, "x"\n}\n');
  writeFileSync(join(project.dir, 'alerts', 'rules', 'throws.mjs'), 'export default () => {\n  throw "no reason";\n};\n');
  for (const name of ['boom', 'typo', 'throws']) project.writeAlert(name, { index, condition: { type: 'script', module: `rules/${name}.mjs` }, notify: ['soc-email'] });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stderr, [
    'alert boom: alerts/rules/boom.mjs:3:19: TypeError: Cannot read properties of undefined (reading \'such\')',
    'alert throws: alerts/rules/throws.mjs: threw "no reason"',
    'alert typo: alerts/rules/typo.mjs:3:1: SyntaxError: Unexpected token \'}\'',
    '',
  ].join('\n'));
});

test('all due alerts go out in one _msearch per chunk; a failing search is that alert\'s error only', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-chunks');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project({ extraConfig: { elasticsearch: { url: world.esUrl, msearch_chunk: 2, fuse_alerts: 1 } } });
  for (const name of ['a1', 'a2', 'a3', 'a4']) project.writeAlert(name, { index, condition: { type: 'any' }, notify: ['soc-slack'], title: `${name} {{count}}` });
  project.writeAlert('a5-broken', { index, query: { query: { range: { '@timestamp': { gte: 'not a date' } } } }, condition: { type: 'any' }, notify: ['soc-slack'] });
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 3, 'exit code: a source failed');
  const report = JSON.parse(result.stdout);
  assert.equal(report.clusterRequests, 3, '5 searches in chunks of 2');
  assert.deepEqual(report.alerts.map((a: { name: string; status: string }) => [a.name, a.status]), [['a1', 'ok'], ['a2', 'ok'], ['a3', 'ok'], ['a4', 'ok'], ['a5-broken', 'error']]);
  assert.match(result.stderr, /^alert a5-broken: search failed: .*parse.*$/m);
  assert.equal(world.slack.accepted().length >= 4, true);
  const state = project.state();
  assert.equal(state.alerts['a5-broken'].window, undefined, 'the failed alert\'s window does not move: it is searched again next run');
  assert.deepEqual(state.alerts.a1.window, { from: T - 10 * MIN, to: T });
});

test('a cluster that cannot be reached fails the run with exit code 3 and a one-line error per alert', async () => {
  const project = world.project({ esUrl: 'http://127.0.0.1:9' });
  project.writeAlert('any', { index: 'x', condition: { type: 'any' }, notify: ['soc-email'] });
  const result = await project.run(['run']);
  assert.equal(result.code, 3);
  assert.equal(result.stderr, 'alert any: cannot reach http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9\n');
});
