// What a field trial of the run found (never miss, never spam, never wedge): each test drives the CLI against
// the real engine and sinks, and fails without its fix.
import assert from 'node:assert/strict';
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
