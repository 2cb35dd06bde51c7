// What an alert's own answer shows about whether it can fire, for any answer the cluster (or a proxy) may give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SearchResponse } from '../../src/model/search.js';
import { answerProblems } from '../../src/inspect/answerProblems.js';
import { judgeAnswer } from '../../src/inspect/fieldCheck.js';
import { GROUP_AGG } from '../../src/rules/search.js';
import type { SearchAlertDef } from '../../src/sources/elasticsearch/types.js';
import { checkProperty } from '../support/property.js';

const alertOf = (index: string, groupBy?: string[]) => ({ name: 'a', index, timestamp_field: '@timestamp', group_by: groupBy, condition: { type: 'any' }, query: {} }) as unknown as SearchAlertDef;
/** A buckets alert on a terms aggregation `by_user` of the query. */
const bucketsAlert = (index: string, terms: Record<string, unknown>) =>
  ({ name: 'b', index, timestamp_field: '@timestamp', condition: { type: 'buckets', path: 'by_user', value: 'doc_count', gte: 1 }, query: { aggs: { by_user: { terms } } } }) as unknown as SearchAlertDef;

test('no shard: the index problem; hits without a bucket: the group_by problem; hits: the time field works', () => {
  assert.deepEqual(answerProblems(alertOf('x-*'), undefined, { _shards: { total: 0 } }).map((o) => [o.kind, !!o.message]), [['index', true]]);
  const keyless: SearchResponse = { _shards: { total: 1 }, hits: { total: { value: 3, relation: 'eq' } }, aggregations: { [GROUP_AGG]: { buckets: [], sum_other_doc_count: 0 } } };
  assert.deepEqual(answerProblems(alertOf('x-*', ['user.name']), undefined, keyless).map((o) => [o.kind, !!o.message]), [['index', false], ['timestamp_field', false], ['group_by', true]]);
  const keyed = { ...keyless, aggregations: { [GROUP_AGG]: { buckets: [{ key: 'bob', doc_count: 3 }] } } };
  assert.deepEqual(answerProblems(alertOf('x-*', ['user.name']), undefined, keyed).map((o) => [o.kind, !!o.message]), [['index', false], ['timestamp_field', false], ['group_by', false]]);
  const fewer = { index: 'x-*', body: { aggs: { [GROUP_AGG]: { terms: { field: 'user.name', min_doc_count: 5 } } } } };
  assert.deepEqual(answerProblems(alertOf('x-*', ['user.name']), fewer, keyless).map((o) => o.kind), ['index', 'timestamp_field'], 'keys under min_doc_count have no bucket: nothing is judged');
  const noBucket: SearchResponse = { _shards: { total: 1 }, hits: { total: { value: 2, relation: 'eq' } }, aggregations: { by_user: { buckets: [] } } };
  assert.deepEqual(answerProblems(bucketsAlert('x-*', { field: 'user.name' }), undefined, noBucket).map((o) => [o.kind, !!o.message]), [['index', false], ['timestamp_field', false], ['buckets', true]]);
  assert.deepEqual(answerProblems(bucketsAlert('x-*', { field: 'user.name', include: 'adm.*' }), undefined, noBucket).map((o) => o.kind), ['index', 'timestamp_field'], 'an include may leave every hit out on purpose');
});

// Any JSON the answer may hold where alertcron reads it.
const json = fc.jsonValue({ maxDepth: 3 });
const response = fc.record(
  {
    _shards: fc.oneof(json, fc.record({ total: fc.oneof(fc.integer({ min: 0, max: 3 }), json) })),
    hits: fc.oneof(json, fc.record({ total: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.record({ value: fc.oneof(fc.integer({ min: 0, max: 5 }), json) }), json), hits: fc.oneof(fc.array(json, { maxLength: 2 }), json) }, { requiredKeys: [] })),
    aggregations: fc.oneof(json, fc.record({ by_user: fc.oneof(json, fc.record({ buckets: fc.oneof(fc.array(json, { maxLength: 2 }), json) }, { requiredKeys: [] })), [GROUP_AGG]: fc.oneof(json, fc.record({ buckets: fc.oneof(fc.array(json, { maxLength: 2 }), json), sum_other_doc_count: fc.oneof(fc.nat(3), json) }, { requiredKeys: [] })), alertcron_newest: fc.oneof(json, fc.record({ value: fc.oneof(fc.constant(null), fc.double(), json), value_as_string: fc.oneof(fc.string(), json) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<SearchResponse>;
const field = fc.string({ minLength: 1, maxLength: 30 });

test('generated answers: never a throw; the index problem exactly when no shard was searched; a problem only with its evidence', async () => {
  await checkProperty(
    'answer problems follow the answer',
    fc.property(response, fc.option(fc.array(field, { minLength: 1, maxLength: 3 }), { nil: undefined }), field, fc.boolean(), (answer, groupBy, index, buckets) => {
      const seen = answerProblems(buckets ? bucketsAlert(index, { field: groupBy?.[0] ?? 'user.name' }) : alertOf(index, groupBy), undefined, answer);
      const kinds = seen.map((o) => o.kind);
      assert.equal(new Set(kinds).size, kinds.length, 'each kind at most once');
      const noShard = (answer._shards as { total?: unknown } | undefined)?.total === 0;
      assert.equal(seen.some((o) => o.kind === 'index' && o.message), noShard);
      if (noShard) assert.equal(seen.length, 1);
      const group = seen.find((o) => o.kind === 'group_by');
      if (group?.message) {
        assert.ok(groupBy && !buckets, 'no group_by, no group_by problem');
        for (const name of groupBy!) assert.ok(group.message.includes(name));
      }
      const noBucket = seen.find((o) => o.kind === 'buckets');
      if (noBucket) assert.ok(buckets, 'a buckets observation only for a buckets condition');
      if (noBucket?.message) assert.deepEqual((answer.aggregations as any).by_user.buckets, []);
      const time = judgeAnswer({ index, field: '@timestamp' }, answer);
      if (time?.message) assert.equal((answer.aggregations as any).alertcron_newest.value, null);
    }),
    300,
  );
});
