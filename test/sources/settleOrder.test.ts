// ElasticsearchSource.fetch tells `settle` an alert's outcome as soon as it is final (its _msearch chunk answered)
// and never one that asks for a further search (a group_by page, a rule type's follow-up), nor any twice.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProject } from '../../src/config/loadProject.js';
import { ElasticsearchSource } from '../../src/sources/elasticsearch/source.js';
import type { ElasticsearchConfig, SearchAlertDef } from '../../src/sources/elasticsearch/types.js';
import { startSearchProxy } from '../support/searchProxy.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();
const MIN = 60_000;

test('settle: a plain answer is told once, when its chunk arrives; a group_by answer with keys left out and a new_term answer with a follow-up are never told, but returned complete', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('settle-order');
  const users = ['alice', 'bob', 'carol'];
  await indexDocs(world.esUrl, index, users.map((u, i) => ({ ...logonEvent(T - MIN / 2 + i, u), user: { name: u } })));
  const proxy = await startSearchProxy(world.esUrl);
  try {
    const project = world.project({ extraConfig: { elasticsearch: { url: proxy.url, msearch_chunk: 1, fuse_alerts: 1 } } });
    project.writeAlert('a-plain', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'plain' });
    project.writeAlert('b-grouped', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: 1, notify: ['soc-slack'], title: '{{key}}' });
    project.writeAlert('c-new-term', { index, condition: { type: 'new_term', fields: 'user.name', terms_window_size: '1d' }, notify: ['soc-slack'], title: 'new {{key}}' });
    const { config, loaded } = await loadProject(join(project.dir, 'alertcron.yaml'), process.env, { offline: true });
    const alerts = ['a-plain', 'b-grouped', 'c-new-term'].map((name) => loaded.alerts.find((a) => a.name === name) as unknown as SearchAlertDef);
    assert.equal(alerts.filter(Boolean).length, 3, JSON.stringify(loaded.problems));
    const source = new ElasticsearchSource(config.sources.elasticsearch as ElasticsearchConfig);
    const plans = alerts.map((alert) => source.plan(alert, { from: T - MIN, to: T }));
    const told: { index: number; ok: boolean; searchesSent: number }[] = [];
    const result = await source.fetch(plans, T, undefined, (i, outcome) => told.push({ index: i, ok: outcome.ok, searchesSent: proxy.searches() }));
    // a-plain is told once, right after the first chunk (of 3) was answered. searchesSent does not tell whether the
    // second chunk was sent before or after the tell: the proxy, in this process, reads a request in a later turn of
    // the event loop either way (msearchChunks.test.ts checks that order with node's own request-start events).
    assert.deepEqual(told, [{ index: 0, ok: true, searchesSent: 1 }]);
    assert.equal(result.outcomes[0], undefined);
    // b-grouped left keys out (group_size 1, 3 users): its pages were fetched, and it comes back whole.
    const grouped = result.outcomes[1];
    assert.ok(grouped?.ok && 'response' in grouped, JSON.stringify(grouped));
    const buckets = (grouped.response.aggregations as Record<string, { buckets?: unknown[] }> | undefined);
    assert.ok(Object.values(buckets ?? {}).some((agg) => agg.buckets?.length === 3), JSON.stringify(buckets));
    // c-new-term had its follow-up (the history check) and comes back with it.
    const newTerm = result.outcomes[2];
    assert.ok(newTerm?.ok && 'response' in newTerm && newTerm.response.followUp !== undefined, JSON.stringify(newTerm));
    assert.ok(proxy.searches() >= 5, `3 chunks, a group page and a follow-up: ${proxy.searches()}`);
  } finally {
    proxy.close();
  }
});

test('settle: a fused search the cluster answers with an error of its own is searched again as its alerts\' own searches, and none of them is told early nor twice', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('settle-fused');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN / 2, 'root')]);
  const proxy = await startSearchProxy(world.esUrl);
  try {
    const project = world.project({ extraConfig: { elasticsearch: { url: proxy.url, msearch_chunk: 10, fuse_alerts: 10 } } });
    project.writeAlert('d-good', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'good' });
    project.writeAlert('e-unbalanced', { index, condition: { type: 'any' }, query: { query: { query_string: { query: 'winlog.event_data.TargetUserName:(root AND' } } }, notify: ['soc-slack'], title: 'bad' });
    const { config, loaded } = await loadProject(join(project.dir, 'alertcron.yaml'), process.env, { offline: true });
    const alerts = ['d-good', 'e-unbalanced'].map((name) => loaded.alerts.find((a) => a.name === name) as unknown as SearchAlertDef);
    assert.equal(alerts.filter(Boolean).length, 2, JSON.stringify(loaded.problems));
    const source = new ElasticsearchSource(config.sources.elasticsearch as ElasticsearchConfig);
    const told: number[] = [];
    const result = await source.fetch(alerts.map((alert) => source.plan(alert, { from: T - MIN, to: T })), T, undefined, (i) => told.push(i));
    assert.equal(proxy.searches(), 2, 'the fused search, then its alerts\' own searches');
    assert.deepEqual(told, []);
    assert.equal(result.outcomes[0]?.ok, true, JSON.stringify(result.outcomes[0]));
    const bad = result.outcomes[1];
    assert.ok(bad && !bad.ok && /search failed/.test(bad.error), JSON.stringify(bad));
  } finally {
    proxy.close();
  }
});
