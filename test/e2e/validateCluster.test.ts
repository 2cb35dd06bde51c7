// validate --cluster: each alert checked against the real engine, each problem at its line in the alert file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

/** Creates an index whose `message` is a text field with a keyword sub-field, as many log templates map it. */
async function textIndex(): Promise<string> {
  const name = `auth-cluster-text-${Math.random().toString(36).slice(2, 8)}`;
  const response = await fetch(`${world.esUrl}/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mappings: { properties: { '@timestamp': { type: 'date' }, message: { type: 'text', fields: { keyword: { type: 'keyword' } } } } } }),
  });
  assert.equal(response.status, 200, await response.text());
  return name;
}

test('validate --cluster finds what the cluster contradicts, names each alert file and line, and moves no state', async () => {
  const index = await world.index('auth-cluster');
  await indexDocs(world.esUrl, index, [logonEvent(uniqueBaseTime(), 'root')]);
  const texts = await textIndex();
  const project = world.project();
  const alert = (extra: Record<string, unknown>) => ({ index, condition: { type: 'any' }, notify: ['soc-email'], ...extra });
  project.writeAlert('good', alert({ group_by: 'winlog.event_data.TargetUserName' }));
  project.writeAlert('no-index', alert({ index: 'no-such-index-zz-*' }));
  project.writeAlert('bad-time', alert({ timestamp_field: 'event.created' }));
  project.writeAlert('text-group', alert({ index: texts, group_by: 'message' }));
  project.writeAlert('bad-date', alert({ query: { query: { range: { '@timestamp': { gte: 'not a date' } } } } }));
  project.writeQuery('unknown.json', { query: { termz: { 'event.code': '4625' } } });
  project.writeAlert('bad-query', alert({ query: 'unknown.json' }));

  const offline = await project.run(['validate']);
  assert.equal(offline.code, 0, `without --cluster nothing is asked of the cluster: ${offline.stderr}`);
  const result = await project.run(['validate', '--cluster']);
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 6, result.stderr);
  assert.match(lines[0]!, /^alerts\/bad-date\.yaml:\d+:\d+ \/query: the cluster rejects the query: .*not a date/);
  assert.match(lines[1]!, /^alerts\/bad-query\.yaml:\d+:\d+ \/query: the cluster rejects the query \(queries\/unknown\.json\): .*termz/);
  assert.match(lines[2]!, new RegExp(`^alerts/bad-time\\.yaml:\\d+:\\d+ /timestamp_field: timestamp_field "event\\.created" is not a field of the indices matching "${index}": the time window would match nothing$`));
  assert.match(lines[3]!, /^alerts\/no-index\.yaml:1:8 \/index: index pattern "no-such-index-zz-\*" matches no index, alias or data stream on the cluster$/);
  assert.match(lines[4]!, /^alerts\/text-group\.yaml:\d+:\d+ \/group_by: group_by "message" is a text field: it cannot be grouped by \(not aggregatable\) \(use "message\.keyword"\)$/);
  assert.equal(lines[5], `5 problem(s) in 5 file(s); 6 alert(s) valid, 0 disabled, 2 channel(s); 6 alert(s) checked against ${world.esUrl}`);
  assert.equal(existsSync(join(project.dir, 'state')), false, 'no state was written');

  const json = JSON.parse((await project.run(['validate', '--cluster', '--json'])).stdout);
  assert.deepEqual(json.cluster, { url: world.esUrl, alerts_checked: 6 });
  assert.deepEqual(json.problems.map((p: { file: string; path: string }) => `${p.file} ${p.path}`), [
    'alerts/bad-date.yaml /query',
    'alerts/bad-query.yaml /query',
    'alerts/bad-time.yaml /timestamp_field',
    'alerts/no-index.yaml /index',
    'alerts/text-group.yaml /group_by',
  ]);
});

test('validate --cluster checks the fields a rule type names: a text field gets the .keyword hint, a missing one is named', async () => {
  const texts = await textIndex();
  const project = world.project();
  const alert = (condition: Record<string, unknown>) => ({ index: texts, condition, notify: ['soc-email'] });
  project.writeAlert('ok-terms', alert({ type: 'new_term', fields: ['message.keyword'] }));
  project.writeAlert('text-terms', alert({ type: 'new_term', fields: ['message'] }));
  project.writeAlert('text-list', alert({ type: 'blacklist', compare_key: 'message', blacklist: ['root'] }));
  project.writeAlert('missing-metric', alert({ type: 'metric_aggregation', metric_agg_key: 'bytes', metric_agg_type: 'sum', max_threshold: 1 }));
  // A keyword can be counted (cardinality) but not averaged: avg and spike's field_value need numbers.
  project.writeAlert('keyword-avg', alert({ type: 'metric_aggregation', metric_agg_key: 'message.keyword', metric_agg_type: 'avg', max_threshold: 1 }));
  project.writeAlert('keyword-distinct', alert({ type: 'metric_aggregation', metric_agg_key: 'message.keyword', metric_agg_type: 'cardinality', max_threshold: 1 }));
  project.writeAlert('keyword-spike', alert({ type: 'spike', timeframe: '10m', spike_height: 3, field_value: 'message.keyword' }));
  const result = await project.run(['validate', '--cluster']);
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), [
    `alerts/keyword-avg.yaml:4:19 /condition/metric_agg_key: metric_agg_key "message.keyword" is a keyword field in the indices matching "${texts}": the cluster computes this only on numbers (map it as a number, or name a numeric field)`,
    `alerts/keyword-spike.yaml:6:16 /condition/field_value: field_value "message.keyword" is a keyword field in the indices matching "${texts}": the cluster computes this only on numbers (map it as a number, or name a numeric field)`,
    `alerts/missing-metric.yaml:4:19 /condition/metric_agg_key: metric_agg_key "bytes" is not a field of the indices matching "${texts}"`,
    'alerts/text-list.yaml:4:16 /condition/compare_key: compare_key "message" is a text field: the cluster cannot count or compare its values exactly (not aggregatable) (use "message.keyword")',
    'alerts/text-terms.yaml:5:5 /condition/fields: fields "message" is a text field: the cluster cannot count or compare its values exactly (not aggregatable) (use "message.keyword")',
    `5 problem(s) in 5 file(s); 7 alert(s) valid, 0 disabled, 2 channel(s); 7 alert(s) checked against ${world.esUrl}`,
  ]);
});

test('validate --cluster with an unreachable cluster exits 3 and says why', async () => {
  const project = world.project({ esUrl: 'http://127.0.0.1:9' });
  project.writeAlert('any', { index: 'x', condition: { type: 'any' }, notify: ['soc-email'] });
  const result = await project.run(['validate', '--cluster']);
  assert.equal(result.code, 3);
  assert.equal(result.stderr, 'cannot check the alerts against the cluster: cannot reach http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9\ncluster check failed; 1 alert(s) valid, 0 disabled, 2 channel(s); 0 alert(s) checked against http://127.0.0.1:9\n');
});
