import type { SearchRequest, SearchResponse } from '../../model/search.js';
import { merged } from '../../util/merged.js';

/** The prefix of the named filter (a bucket of a `filters` aggregation) that carries one alert's query inside a fused search. */
export const FUSED_AGG = 'alertcron_fused_';
/** The prefix of the `filters` aggregation that holds the alerts of one shape (the same aggregations and documents beneath). */
export const FUSED_SHAPE = 'alertcron_shape_';
/** The top-hits aggregation that brings one fused alert's documents (its `size`, `sort` and `_source`). */
export const FUSED_HITS = 'alertcron_fused_hits';

/** The most documents a top_hits aggregation may bring (the cluster's default index.max_inner_result_window). */
const MAX_TOP_HITS = 100;
/** The body keys a fused search can carry for an alert; a search with any other key goes on its own. */
const FUSABLE_KEYS = new Set(['query', 'size', 'sort', 'track_total_hits', 'aggs', 'aggregations', '_source']);
/** Aggregations the cluster accepts only at the top level of a search: an alert using one goes on its own. */
const TOP_LEVEL_ONLY = new Set(['global', 'composite']);
/**
 * Parent pipeline aggregations, which the cluster refuses at the top level of a search: fused, they would act on
 * the shape's buckets instead of failing as the alert's own search does.
 */
const PARENT_PIPELINES = new Set(['bucket_selector', 'bucket_sort', 'bucket_script']);
/** Aggregations that refuse a parent collecting more than one bucket, as a shape's `filters` aggregation is. */
const SINGLE_BUCKET_PARENT_ONLY = new Set(['variable_width_histogram', 'exponential_histogram']);

/** What the searches of several alerts share when they can be fused: the index, the timestamp field and the span. */
export interface FusionKey {
  index: string;
  timestamp_field: string;
  from: number;
  to: number;
}

/** A search to send: one alert's own, or several alerts fused into one (`members` are their positions). */
export interface Unit {
  request: SearchRequest;
  members: number[];
  fused: boolean;
}

/**
 * Why one alert's search body cannot be fused, or undefined when it can: a fused search carries each alert's
 * query, aggregations and newest documents as aggregations, which holds only for bodies made of those parts.
 */
export function unfusableReason(body: Record<string, unknown>): string | undefined {
  const other = Object.keys(body).find((key) => !FUSABLE_KEYS.has(key));
  if (other) return `its search sets ${other}`;
  const size = typeof body.size === 'number' ? body.size : 10;
  if (size > MAX_TOP_HITS) return `it fetches ${size} documents (a fused search brings at most ${MAX_TOP_HITS} per alert)`;
  if (size > 0 && body.sort === undefined) return 'it fetches documents in score order';
  const aggs = aggregationsOf(body) ?? {};
  if (FUSED_HITS in aggs) return `it has an aggregation named ${FUSED_HITS}`;
  for (const [name, agg] of Object.entries(aggs)) {
    const type = Object.keys(agg && typeof agg === 'object' ? agg : {}).find((k) => TOP_LEVEL_ONLY.has(k) || PARENT_PIPELINES.has(k));
    if (type) return `its aggregation ${name} is a ${type} aggregation`;
  }
  const nested = findAggregationType(aggs, SINGLE_BUCKET_PARENT_ONLY);
  if (nested) return `it uses a ${nested} aggregation, which cannot sit under a fused search's filters`;
  return undefined;
}

/** The first aggregation type of `types` anywhere in an aggregation tree (sub-aggregations included), or undefined. */
function findAggregationType(aggs: Record<string, unknown>, types: ReadonlySet<string>): string | undefined {
  for (const agg of Object.values(aggs)) {
    if (!agg || typeof agg !== 'object') continue;
    for (const [key, value] of Object.entries(agg)) {
      if (types.has(key)) return key;
      if ((key === 'aggs' || key === 'aggregations') && value && typeof value === 'object') {
        const found = findAggregationType(value as Record<string, unknown>, types);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * Groups the searches into units: searches with the same fusion key whose bodies can be fused go together, at
 * most `maxAlerts` per unit, as one search that reads the span once; every other search is a unit of its own.
 * Units keep the order of their first member.
 */
export function fuseSearches(searches: readonly SearchRequest[], keys: readonly (FusionKey | undefined)[], maxAlerts: number): Unit[] {
  const units: Unit[] = [];
  const open = new Map<string, number[]>();
  const order: (number[] | number)[] = [];
  searches.forEach((search, i) => {
    const key = keys[i];
    if (maxAlerts < 2 || !key || unfusableReason(search.body) !== undefined) {
      order.push(i);
      return;
    }
    const id = `${key.index}\u0000${key.timestamp_field}\u0000${key.from}\u0000${key.to}`;
    let group = open.get(id);
    if (!group || group.length >= maxAlerts) {
      group = [];
      open.set(id, group);
      order.push(group);
    }
    group.push(i);
  });
  for (const item of order) {
    if (typeof item === 'number') units.push({ request: searches[item]!, members: [item], fused: false });
    else if (item.length === 1) units.push({ request: searches[item[0]!]!, members: item, fused: false });
    else units.push({ request: lazyFused(item.map((i) => searches[i]!), keys[item[0]!]!), members: item, fused: true });
  }
  return units;
}

/** How to write the JSON text of each fused search's body straight from its members (see searchBodyJson). */
const fusedJson = new WeakMap<SearchRequest, () => string>();

/**
 * The JSON text of a search's body, exactly as `JSON.stringify(request.body)` gives it; a fused search's is written
 * from its members' parts without building the body's objects (at 100 alerts a fused body is about 1,500 objects,
 * which lived until the whole fetch ended when they were kept, and most of them were promoted to the old space).
 */
export function searchBodyJson(request: SearchRequest): string {
  return fusedJson.get(request)?.() ?? JSON.stringify(request.body);
}

/**
 * A fused search whose body is built each time it is read, and not kept: `_msearch` writes its text through
 * searchBodyJson as its chunk is sent (see msearch.ts), so that the fused bodies of later chunks are written while
 * earlier chunks are searched, and none is held once written.
 */
function lazyFused(members: SearchRequest[], key: FusionKey): SearchRequest {
  const request: SearchRequest = {
    index: key.index,
    get body() {
      return fusedRequest(members, key).body;
    },
  };
  fusedJson.set(request, () => fusedRequestJson(members, key));
  return request;
}

/** The members of a fused search grouped by shape: the JSON text of the shape's own aggregations (its key), the aggregations, the members' positions. */
function shapesOf(members: readonly SearchRequest[]): Map<string, { own: Record<string, unknown>; positions: number[] }> {
  const shapes = new Map<string, { own: Record<string, unknown>; positions: number[] }>();
  members.forEach((member, j) => {
    const body = member.body;
    const size = typeof body.size === 'number' ? body.size : 10;
    const own: Record<string, unknown> = merged(aggregationsOf(body));
    if (size > 0) own[FUSED_HITS] = { top_hits: body._source !== undefined ? { size, sort: body.sort, _source: body._source } : { size, sort: body.sort } };
    const shapeKey = JSON.stringify(own);
    const shape = shapes.get(shapeKey);
    if (shape) shape.positions.push(j);
    else shapes.set(shapeKey, { own, positions: [j] });
  });
  return shapes;
}

/** The query a member's named filter holds: its own, without its copy of the span. */
function memberFilter(member: SearchRequest, key: FusionKey): unknown {
  return withoutSpan(member.body.query ?? { match_all: {} }, key);
}

/** The span every member of a fused search shares, as the fused search's one filter. */
function spanFilter(key: FusionKey): Record<string, unknown> {
  return { range: { [key.timestamp_field]: { gte: key.from, lt: key.to, format: 'epoch_millis' } } };
}

/**
 * One search over the shared span. Its members are grouped by shape (the same aggregations and documents asked
 * for); each shape is one `filters` aggregation whose named filters are its members' queries, with the shape's
 * aggregations beneath: the cluster builds one set of aggregators per shape instead of one per alert (at 100
 * alerts of three shapes, about a quarter of the cluster's time). A member's own copy of the span is left out of
 * its filter: the search's query already applies it. Read only through a fused search's `body` getter
 * (a run writes fusedRequestJson's text instead): the reference test/sources/fuse checks that text against.
 */
function fusedRequest(members: SearchRequest[], key: FusionKey): SearchRequest {
  const aggs: Record<string, unknown> = {};
  let s = 0;
  for (const { own, positions } of shapesOf(members).values()) {
    const filters: Record<string, unknown> = {};
    for (const j of positions) filters[`${FUSED_AGG}${j}`] = memberFilter(members[j]!, key);
    aggs[`${FUSED_SHAPE}${s++}`] = { filters: { filters }, ...(Object.keys(own).length ? { aggs: own } : {}) };
  }
  return { index: key.index, body: { size: 0, track_total_hits: false, query: { bool: { filter: [spanFilter(key)] } }, aggs } };
}

/** The JSON text of fusedRequest's body, written piece by piece (each member's filter serialised and dropped in turn). */
function fusedRequestJson(members: SearchRequest[], key: FusionKey): string {
  let text = `{"size":0,"track_total_hits":false,"query":{"bool":{"filter":[${JSON.stringify(spanFilter(key))}]}},"aggs":{`;
  let s = 0;
  for (const [ownJson, { own, positions }] of shapesOf(members)) {
    text += `${s ? ',' : ''}"${FUSED_SHAPE}${s++}":{"filters":{"filters":{`;
    positions.forEach((j, n) => {
      text += `${n ? ',' : ''}"${FUSED_AGG}${j}":${JSON.stringify(memberFilter(members[j]!, key))}`;
    });
    text += Object.keys(own).length ? `}},"aggs":${ownJson}}` : '}}}';
  }
  return `${text}}}`;
}

/**
 * The query without its filter clause that is exactly the fused span (the range buildSearch adds), when another
 * filter clause remains (so a `should` keeps its meaning); else the query as it is.
 */
function withoutSpan(query: unknown, key: FusionKey): unknown {
  const bool = (query as { bool?: { filter?: unknown } } | null)?.bool;
  if (!bool || !Array.isArray(bool.filter) || bool.filter.length < 2) return query;
  const rest = bool.filter.filter((clause) => !isSpan(clause, key));
  return rest.length === bool.filter.length || rest.length === 0 ? query : merged(query as object, { bool: merged(bool, { filter: rest }) });
}

/** Whether a clause is `{range: {<timestamp field>: {gte: from, lt: to, format: 'epoch_millis'}}}` and nothing more. */
function isSpan(clause: unknown, key: FusionKey): boolean {
  const range = (clause as { range?: Record<string, unknown> } | null)?.range;
  if (!range || Object.keys(clause as object).length !== 1 || Object.keys(range).length !== 1) return false;
  const bounds = range[key.timestamp_field] as Record<string, unknown> | undefined;
  return !!bounds && Object.keys(bounds).length === 3 && bounds.gte === key.from && bounds.lt === key.to && bounds.format === 'epoch_millis';
}

/** The buckets of a fused response, by member name (`alertcron_fused_<j>`), gathered from its shapes' `filters` aggregations. */
export function fusedBuckets(fused: SearchResponse): Map<string, unknown> {
  const buckets = new Map<string, unknown>();
  for (const [name, agg] of Object.entries(fused.aggregations ?? {})) {
    if (!name.startsWith(FUSED_SHAPE)) continue;
    const named = (agg as { buckets?: Record<string, unknown> } | null)?.buckets;
    if (named && typeof named === 'object' && !Array.isArray(named)) for (const [member, bucket] of Object.entries(named)) buckets.set(member, bucket);
  }
  return buckets;
}

/**
 * The response each member would have had on its own, cut from the fused response: the total its
 * `track_total_hits` asks for, its documents and its aggregations; undefined for a member the response lacks.
 */
export function memberResponse(fused: SearchResponse, buckets: ReadonlyMap<string, unknown>, body: Record<string, unknown>, j: number): SearchResponse | undefined {
  // No index matched the pattern: the cluster answers without aggregations, as it does each search on its own.
  if (fused.aggregations === undefined) return { took: fused.took, timed_out: fused.timed_out, _shards: fused._shards, hits: hitsOf(0, body.track_total_hits, null, []) };
  const bucket = buckets.get(`${FUSED_AGG}${j}`) as ({ doc_count?: number } & Record<string, unknown>) | undefined;
  if (!bucket || typeof bucket.doc_count !== 'number') return undefined;
  const documents = (bucket[FUSED_HITS] as { hits?: { hits?: NonNullable<SearchResponse['hits']>['hits']; max_score?: number | null } } | undefined)?.hits;
  const response: SearchResponse = {
    took: fused.took,
    timed_out: fused.timed_out,
    _shards: fused._shards,
    hits: hitsOf(bucket.doc_count, body.track_total_hits, documents?.max_score ?? null, documents?.hits ?? []),
  };
  const aggs = aggregationsOf(body);
  if (aggs !== undefined) {
    const own: Record<string, unknown> = {};
    for (const name of Object.keys(aggs)) if (name in bucket) own[name] = bucket[name];
    response.aggregations = own;
  }
  return response;
}

/**
 * A member's `hits`: the total its `track_total_hits` asks for (exact, capped at a number, default 10,000, or none),
 * built as object literals (one hidden class for all members, see util/merged.ts).
 */
function hitsOf(count: number, track: unknown, maxScore: number | null, hits: NonNullable<SearchResponse['hits']>['hits']): SearchResponse['hits'] {
  if (track === false) return { max_score: maxScore, hits } as SearchResponse['hits'];
  const limit = track === true ? Infinity : typeof track === 'number' ? track : 10_000;
  const total = count > limit ? { value: limit, relation: 'gte' } : { value: count, relation: 'eq' };
  return { total, max_score: maxScore, hits } as SearchResponse['hits'];
}

function aggregationsOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  return (body.aggs ?? body.aggregations) as Record<string, unknown> | undefined;
}
