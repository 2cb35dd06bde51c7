import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchRequest, SearchResponse } from '../../src/model/search.js';
import { FUSED_AGG, FUSED_SHAPE, fusedBuckets, fuseSearches, memberResponse, searchBodyJson, unfusableReason, type FusionKey } from '../../src/sources/elasticsearch/fuse.js';

const key: FusionKey = { index: 'logs-*', timestamp_field: '@timestamp', from: 1000, to: 61_000 };
const span = { range: { '@timestamp': { gte: 1000, lt: 61_000, format: 'epoch_millis' } } };
const byUser = { by_user: { terms: { field: 'user' } } };
/** A search as buildSearch makes it: the alert's query and the span, both as filters. */
const search = (term: Record<string, string>, extra: Record<string, unknown> = {}): SearchRequest => ({
  index: 'logs-*',
  body: { query: { bool: { filter: [{ term }, span] } }, size: 0, ...extra },
});

test('alerts of one shape share one filters aggregation; each member\'s filter is its query without the span', () => {
  const searches = [search({ host: 'a' }, { aggs: byUser }), search({ host: 'b' }), search({ host: 'c' }, { aggs: byUser }), search({ host: 'd' }, { size: 2, sort: [{ '@timestamp': 'desc' }] })];
  const [unit, ...rest] = fuseSearches(searches, searches.map(() => key), 100);
  assert.equal(rest.length, 0);
  assert.deepEqual(unit!.members, [0, 1, 2, 3]);
  const body = unit!.request.body as { query: unknown; aggs: Record<string, { filters: { filters: Record<string, unknown> }; aggs?: unknown }> };
  assert.deepEqual(body.query, { bool: { filter: [span] } });
  assert.deepEqual(Object.keys(body.aggs), [`${FUSED_SHAPE}0`, `${FUSED_SHAPE}1`, `${FUSED_SHAPE}2`]);
  assert.deepEqual(body.aggs[`${FUSED_SHAPE}0`], {
    filters: { filters: { [`${FUSED_AGG}0`]: { bool: { filter: [{ term: { host: 'a' } }] } }, [`${FUSED_AGG}2`]: { bool: { filter: [{ term: { host: 'c' } }] } } } },
    aggs: byUser,
  });
  assert.deepEqual(body.aggs[`${FUSED_SHAPE}1`], { filters: { filters: { [`${FUSED_AGG}1`]: { bool: { filter: [{ term: { host: 'b' } }] } } } } });
  assert.deepEqual(body.aggs[`${FUSED_SHAPE}2`]!.aggs, { alertcron_fused_hits: { top_hits: { size: 2, sort: [{ '@timestamp': 'desc' }] } } });
});

test('a member\'s span stays in its filter when nothing else would be left, or when it is not the fused span', () => {
  const onlySpan: SearchRequest = { index: 'logs-*', body: { size: 0, query: { bool: { filter: [span], should: [{ term: { a: 1 } }] } } } };
  const otherSpan = search({ host: 'x' });
  (otherSpan.body.query as { bool: { filter: unknown[] } }).bool.filter[1] = { range: { '@timestamp': { gte: 0, lt: 61_000, format: 'epoch_millis' } } };
  const [unit] = fuseSearches([onlySpan, otherSpan], [key, key], 100);
  const filters = (unit!.request.body.aggs as Record<string, { filters: { filters: Record<string, unknown> } }>)[`${FUSED_SHAPE}0`]!.filters.filters;
  assert.deepEqual(filters[`${FUSED_AGG}0`], onlySpan.body.query);
  assert.deepEqual(filters[`${FUSED_AGG}1`], otherSpan.body.query);
});

test('each member gets back its own bucket as the response it would have had alone', () => {
  const searches = [search({ host: 'a' }, { aggs: byUser, track_total_hits: true }), search({ host: 'b' })];
  const fused: SearchResponse = {
    took: 3,
    timed_out: false,
    aggregations: {
      [`${FUSED_SHAPE}0`]: { buckets: { [`${FUSED_AGG}0`]: { doc_count: 4, by_user: { buckets: [{ key: 'bob', doc_count: 4 }] } } } },
      [`${FUSED_SHAPE}1`]: { buckets: { [`${FUSED_AGG}1`]: { doc_count: 0 } } },
    },
  } as SearchResponse;
  const buckets = fusedBuckets(fused);
  assert.deepEqual(memberResponse(fused, buckets, searches[0]!.body, 0)?.aggregations, { by_user: { buckets: [{ key: 'bob', doc_count: 4 }] } });
  assert.deepEqual(memberResponse(fused, buckets, searches[0]!.body, 0)?.hits?.total, { value: 4, relation: 'eq' });
  assert.deepEqual(memberResponse(fused, buckets, searches[1]!.body, 1)?.hits?.total, { value: 0, relation: 'eq' });
  assert.equal(memberResponse(fused, buckets, searches[1]!.body, 7), undefined, 'a member the answer lacks');
});

test('alerts whose aggregations would change meaning or fail under a shape\'s filters go on their own', () => {
  const selector = { by_user: { terms: { field: 'user' } }, busy: { bucket_selector: { buckets_path: { n: '_count' }, script: 'params.n > 1' } } };
  const widths = { outer: { filter: { term: { a: 1 } }, aggs: { spread: { variable_width_histogram: { field: 'bytes', buckets: 3 } } } } };
  assert.match(unfusableReason({ query: {}, size: 0, aggs: selector }) ?? '', /busy is a bucket_selector aggregation/);
  assert.match(unfusableReason({ query: {}, size: 0, aggregations: widths }) ?? '', /variable_width_histogram/);
  assert.equal(unfusableReason({ query: {}, size: 0, aggs: { by_user: { terms: { field: 'user' }, aggs: { top: { bucket_sort: { size: 3 } } } } } }), undefined, 'a parent pipeline inside a bucket aggregation is fine');
  const searches = [search({ host: 'a' }, { aggs: selector }), search({ host: 'b' }, { aggs: byUser }), search({ host: 'c' }, { aggs: byUser })];
  const units = fuseSearches(searches, searches.map(() => key), 100);
  assert.deepEqual(units.map((u) => [u.members, u.fused]), [[[0], false], [[1, 2], true]]);
});

test('a fused search\'s body is written as text exactly as JSON.stringify writes the body it reads as', () => {
  const odd: FusionKey = { ...key, timestamp_field: 'event "time"' };
  const span2 = { range: { 'event "time"': { gte: 1000, lt: 61_000, format: 'epoch_millis' } } };
  const searches: SearchRequest[] = [
    search({ host: 'a' }, { aggs: byUser }),
    search({ host: 'b' }),
    search({ host: 'c' }, { aggs: byUser }),
    search({ host: 'd' }, { size: 2, sort: [{ '@timestamp': 'desc' }], _source: ['user'] }),
    { index: 'logs-*', body: { size: 0 } },
    { index: 'logs-*', body: { size: 0, query: { bool: { filter: [span], should: [{ term: { a: '\u2028"x"' } }] } } } },
    search({ host: 'e' }, { aggregations: { hour: { date_histogram: { field: '@timestamp', fixed_interval: '1m' } } } }),
  ];
  for (const [k, list] of [[key, searches], [odd, [{ index: 'logs-*', body: { size: 0, query: { bool: { filter: [{ term: { x: 1 } }, span2] } } } }, search({ host: 'f' })]]] as const) {
    const units = fuseSearches(list, list.map(() => k), 100);
    for (const unit of units) assert.equal(searchBodyJson(unit.request), JSON.stringify(unit.request.body));
    assert.ok(units.some((u) => u.fused));
  }
  // A search on its own is written as its body.
  const [own] = fuseSearches([searches[0]!], [undefined], 100);
  assert.equal(searchBodyJson(own!.request), JSON.stringify(searches[0]!.body));
});
