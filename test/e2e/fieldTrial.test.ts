// What a field trial of the run found (never miss, never spam, never wedge): each test drives the CLI against
// the real engine and sinks, and fails without its fix.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

test('a query the cluster cannot parse fails only its own alert, named with its file; the others are delivered (exit 2)', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-badquery');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root'), logonEvent(T - MIN, 'admin')]);
  const project = world.project({ extraConfig: { elasticsearch: { url: world.esUrl, timeout: '10s', msearch_chunk: 4 } } });
  project.writeQuery('bad.json', { query: { bogus_query: { field: 'x' } } });
  for (const name of ['a-first', 'b-second', 'd-fourth', 'e-fifth', 'f-sixth']) {
    project.writeAlert(name, { index, condition: { type: 'any' }, notify: ['soc-slack'], title: `${name} fired` });
  }
  project.writeAlert('c-broken', { index, query: 'bad.json', condition: { type: 'any' }, notify: ['soc-slack'], title: 'never' });
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 2, 'an alert whose query is rejected is a configuration error');
  assert.match(result.stderr, /^alert c-broken: alerts\/c-broken\.yaml: the cluster rejected this alert's search: .*unknown query \[bogus_query\].*\(fix the query; the other alerts ran\)$/m);
  assert.equal(result.stderr.trim().split('\n').length, 1, `only the broken alert is reported: ${result.stderr}`);
  const titles = (world.slack.accepted() as { text: string }[]).map((p) => p.text).sort();
  assert.deepEqual(titles, ['a-first fired', 'b-second fired', 'd-fourth fired', 'e-fifth fired', 'f-sixth fired']);
  const report = JSON.parse(result.stdout);
  assert.ok(report.clusterRequests > 2, 'the chunk holding the culprit was split and sent again');
  const state = project.state();
  assert.equal(state.alerts['c-broken'].window, undefined, 'the broken alert keeps its window');
  assert.ok(state.alerts['a-first'].window, 'the others move on');
  assert.deepEqual(state.sources.elasticsearch, { failures: 0 }, 'the cluster is healthy: self-monitoring is not told');
});

test('a run ends by its deadline: a cluster that never answers is a failed search, not a hung run', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const T = uniqueBaseTime();
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const project = world.project({ extraConfig: { elasticsearch: { url, timeout: '5m' }, run: { deadline: '3s' } } });
    project.writeAlert('admins', { index: 'winlogbeat-*', condition: { type: 'any' }, notify: ['soc-slack'] });
    const started = Date.now();
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /alert admins: the run reached its deadline \(run\.deadline\) before elasticsearch answered; the window will be searched again next run/);
    assert.ok(Date.now() - started < 30_000, 'the run did not wait for the cluster\'s 5 minute timeout');
    assert.equal(project.state().alerts.admins.window, undefined, 'the window did not move');
    assert.equal(project.state().lastRun.exitCode, 3, 'the run recorded what it did before it exited');
  } finally {
    silent.close();
  }
});

test('a run ends by its deadline: deliveries and write-backs share it, a hanging channel stays pending', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-deadline');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project({ extraConfig: { delivery: { deadline: '40s', attempt_timeout: '30s', retries: 1 }, run: { deadline: '4s' } } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-slack'] });
  world.slack.behaviour = 'hang';
  const started = Date.now();
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4, result.stderr);
  assert.ok(Date.now() - started < 30_000, 'the run ended at run.deadline, not at the 40 s delivery deadline');
  assert.equal(project.state().pending.length, 1, 'the notice stays pending for the next run');
  world.slack.behaviour = 'ok';
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.accepted().length, 1);
});
