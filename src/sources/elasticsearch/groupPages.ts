import type { SearchRequest, SearchResponse } from '../../model/search.js';
import { bucketsOf, type GroupBucket } from '../../rules/groupKey.js';
import { GROUP_AGG } from '../../rules/search.js';

/**
 * Most searches per alert and run that fetch the keys beyond group_size: with the first search, a run examines at
 * most (1 + MAX_GROUP_PAGES) x group_size keys of an alert; the events of any keys beyond are said (`incomplete`).
 */
export const MAX_GROUP_PAGES = 9;

/**
 * Most clauses the exclusion of seen compound keys may take (one per key and field): the cluster refuses a query
 * of more than 1,024 clauses (indices.query.bool.max_clause_count).
 */
const MAX_COMPOUND_CLAUSES = 900;

/** The events a response's group aggregation (group_by) left out: keys beyond its size. */
export function eventsLeftOut(response: SearchResponse): number {
  const group = response.aggregations?.[GROUP_AGG] as { sum_other_doc_count?: unknown } | undefined;
  return typeof group?.sum_other_doc_count === 'number' ? group.sum_other_doc_count : 0;
}

/**
 * The search for the next keys of a group_by search: the alert's own search over the same span, without the events
 * of the keys already seen, asking only for its group aggregation (the same size, order and sub-aggregations, so
 * each key it brings is complete). Undefined when the seen keys cannot be excluded in one query.
 */
export function nextGroupPage(request: SearchRequest, groupBy: readonly string[], seen: readonly GroupBucket[]): SearchRequest | undefined {
  const body = request.body;
  const group = ((body.aggs ?? body.aggregations) as Record<string, unknown> | undefined)?.[GROUP_AGG];
  if (!group || !seen.length) return undefined;
  let exclude: unknown[];
  if (groupBy.length === 1) exclude = [{ terms: { [groupBy[0]!]: seen.map((b) => b.key_as_string ?? b.key) } }];
  else {
    if (seen.length * groupBy.length > MAX_COMPOUND_CLAUSES || !seen.every((b) => Array.isArray(b.key))) return undefined;
    exclude = seen.map((b) => ({ bool: { filter: groupBy.map((field, i) => ({ term: { [field]: (b.key as unknown[])[i] } })) } }));
  }
  return { index: request.index, body: { size: 0, track_total_hits: false, query: { bool: { filter: [body.query ?? { match_all: {} }], must_not: exclude } }, aggs: { [GROUP_AGG]: group } } };
}

/** The first response with a further page's keys added to its group aggregation, and what that page still left out. */
export function withGroupPage(response: SearchResponse, page: SearchResponse): SearchResponse {
  const group = response.aggregations![GROUP_AGG] as Record<string, unknown>;
  const buckets = [...bucketsOf(response.aggregations, GROUP_AGG), ...bucketsOf(page.aggregations, GROUP_AGG)];
  return { ...response, aggregations: { ...response.aggregations, [GROUP_AGG]: { ...group, buckets, sum_other_doc_count: eventsLeftOut(page) } } };
}

/** One alert's search as the group paging sees it: its own request, its group_by fields, and its answer so far. */
export interface GroupPaged {
  request: SearchRequest;
  groupBy: readonly string[] | undefined;
  response: SearchResponse;
}

/**
 * Fetches, for every answered group_by search that left keys out, the further keys in pages of its group_size (one
 * `_msearch` round per page for all such alerts, at most MAX_GROUP_PAGES rounds, none once the run's deadline
 * has passed), and adds them to its response; a page that fails or brings no new key ends that alert's paging (what is
 * still left out stays said by its rule type). Returns the answers and the requests spent.
 */
export async function fetchGroupPages(
  searches: readonly (GroupPaged | undefined)[],
  search: (requests: SearchRequest[]) => Promise<{ outcomes: ({ ok: true; response: SearchResponse } | { ok: false } | undefined)[]; requests: number; failure?: string }>,
  signal?: AbortSignal,
): Promise<{ responses: (SearchResponse | undefined)[]; requests: number; failure?: string }> {
  const responses = searches.map((s) => s?.response);
  let requests = 0;
  let failure: string | undefined;
  let open = searches.flatMap((s, i) => (s?.groupBy && eventsLeftOut(s.response) > 0 ? [i] : []));
  for (let page = 0; page < MAX_GROUP_PAGES && open.length && !signal?.aborted; page++) {
    const asks = open.flatMap((i) => {
      const request = nextGroupPage(searches[i]!.request, searches[i]!.groupBy!, bucketsOf(responses[i]!.aggregations, GROUP_AGG));
      return request ? [{ i, request }] : [];
    });
    if (!asks.length) break;
    const answer = await search(asks.map((a) => a.request));
    requests += answer.requests;
    failure ??= answer.failure;
    open = [];
    asks.forEach(({ i }, n) => {
      const outcome = answer.outcomes[n];
      if (!outcome?.ok || !bucketsOf(outcome.response.aggregations, GROUP_AGG).length) return;
      responses[i] = withGroupPage(responses[i]!, outcome.response);
      if (eventsLeftOut(responses[i]!) > 0) open.push(i);
    });
  }
  return { responses, requests, failure };
}
