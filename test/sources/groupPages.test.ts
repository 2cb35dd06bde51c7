import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SearchRequest, SearchResponse } from '../../src/model/search.js';
import { bucketsOf } from '../../src/rules/groupKey.js';
import { GROUP_AGG } from '../../src/rules/search.js';
import { fetchGroupPages, MAX_GROUP_PAGES, nextGroupPage } from '../../src/sources/elasticsearch/groupPages.js';
import { checkProperty } from '../support/property.js';

const FIELD = 'user.name';

/** A cluster of one index whose events fall under `counts` (key -> events): answers a group search, honouring must_not terms, top `size` by count then key. */
function cluster(counts: ReadonlyMap<string, number>) {
  const asked: SearchRequest[] = [];
  const answer = (request: SearchRequest): SearchResponse => {
    const body = request.body as any;
    const excluded = new Set<string>((body.query?.bool?.must_not?.[0]?.terms?.[FIELD] as string[] | undefined) ?? []);
    const size = body.aggs[GROUP_AGG].terms.size as number;
    const left = [...counts].filter(([key]) => !excluded.has(key)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const buckets = left.slice(0, size).map(([key, doc_count]) => ({ key, doc_count }));
    const other = left.slice(size).reduce((sum, [, n]) => sum + n, 0);
    return { aggregations: { [GROUP_AGG]: { buckets, sum_other_doc_count: other } } };
  };
  const search = async (requests: SearchRequest[]) => {
    asked.push(...requests);
    return { outcomes: requests.map((r) => ({ ok: true as const, response: answer(r) })), requests: 1 };
  };
  return { asked, answer, search };
}

const request = (size: number): SearchRequest => ({ index: 'logs', body: { size: 0, query: { term: { 'event.code': '4624' } }, aggs: { [GROUP_AGG]: { terms: { field: FIELD, size, min_doc_count: 1 } } } } });

test('nextGroupPage: the alert\'s own query without the keys seen, only the group aggregation; compound keys by clause', () => {
  const page = nextGroupPage(request(2), [FIELD], [{ key: 'a', doc_count: 3 }, { key: 1, key_as_string: 'true', doc_count: 1 }]);
  assert.deepEqual(page, { index: 'logs', body: { size: 0, track_total_hits: false, query: { bool: { filter: [{ term: { 'event.code': '4624' } }], must_not: [{ terms: { [FIELD]: ['a', 'true'] } }] } }, aggs: { [GROUP_AGG]: { terms: { field: FIELD, size: 2, min_doc_count: 1 } } } } });
  const compound = nextGroupPage(request(2), ['host', 'user'], [{ key: ['web, 1', 'bob'], doc_count: 1 }]);
  assert.deepEqual((compound!.body.query as any).bool.must_not, [{ bool: { filter: [{ term: { host: 'web, 1' } }, { term: { user: 'bob' } }] } }]);
  assert.equal(nextGroupPage(request(2), ['host', 'user'], Array.from({ length: 451 }, (_, i) => ({ key: [`h${i}`, 'u'], doc_count: 1 }))), undefined, 'too many clauses: paging stops');
});

test('property: any keys and counts: paging brings every key once, up to ten pages of group_size, and says what is left', async () => {
  await checkProperty(
    'group paging is complete, bounded and never repeats a key',
    fc.asyncProperty(
      fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 60, maxLength: 60 }),
      fc.integer({ min: 1, max: 8 }),
      async (keys, events, size) => {
        const counts = new Map(keys.map((key, i) => [key, events[i]!]));
        const fake = cluster(counts);
        const first = fake.answer(request(size));
        const paged = await fetchGroupPages([{ request: request(size), groupBy: [FIELD], response: first }, undefined], fake.search);
        assert.ok(paged.requests <= MAX_GROUP_PAGES, 'at most nine more searches');
        assert.equal(paged.responses[1], undefined, 'an alert that failed stays failed');
        const seen = bucketsOf(paged.responses[0]!.aggregations, GROUP_AGG).map((b) => String(b.key));
        assert.equal(new Set(seen).size, seen.length, 'no key twice');
        const examined = Math.min(keys.length, (1 + MAX_GROUP_PAGES) * size);
        assert.equal(seen.length, examined);
        const left = [...counts].filter(([key]) => !seen.includes(key)).reduce((sum, [, n]) => sum + n, 0);
        assert.equal((paged.responses[0]!.aggregations![GROUP_AGG] as { sum_other_doc_count: number }).sum_other_doc_count, left, 'what is left out is said');
      },
    ),
    200,
  );
});
