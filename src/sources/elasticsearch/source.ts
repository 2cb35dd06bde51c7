import type { Window } from '../../model/window.js';
import type { SearchResponse } from '../../model/search.js';
import type { FetchOutcome, FetchResult, PlannedRequest, Source } from '../types.js';
import { buildFollowUp, buildSearch, followUpOptional, fusionKey } from './buildSearch.js';
import { fusedBuckets, fuseSearches, memberResponse } from './fuse.js';
import { eventsLeftOut, fetchGroupPages } from './groupPages.js';
import { multiSearch, type ChunkAnswered, type SearchOutcome } from './msearch.js';
import type { ElasticsearchConfig, SearchAlertDef } from './types.js';

/**
 * The cluster as a source: the due alerts' searches go through `_msearch` (chunked); alerts searching the same
 * index, timestamp field and span are fused into one search that reads the span once.
 */
export class ElasticsearchSource implements Source<SearchAlertDef> {
  readonly name = 'elasticsearch';
  readonly actions = {};

  constructor(private readonly config: ElasticsearchConfig) {}

  /** The search for one alert over its window, shaped by its rule type. */
  plan(alert: SearchAlertDef, window: Window): PlannedRequest<SearchAlertDef> {
    return { alert, window, request: buildSearch(alert, window) };
  }

  /**
   * All due searches, fused where they can be, through `_msearch`, `msearch_chunk` searches per request; an
   * item's error is that alert's only: a fused search the cluster answers with an error of its own is sent again
   * as its alerts' own searches, so that only the faulty alert fails. With `settle`, an alert's outcome is told
   * there as soon as its chunk is answered when no further search is due for it (no page of group_by keys, no
   * follow-up, no search again on its own), and left out of the outcomes returned: its answer need not wait for
   * the other chunks'.
   */
  async fetch(plans: PlannedRequest<SearchAlertDef>[], _now: number, signal?: AbortSignal, settle?: (index: number, outcome: FetchOutcome, overlapped?: boolean) => void): Promise<FetchResult> {
    const requests = plans.map((p) => p.request as ReturnType<typeof buildSearch>);
    const units = fuseSearches(requests, plans.map((p) => fusionKey(p.alert, p.window)), this.config.fuse_alerts);
    let tookMs = 0;
    const search = async (searches: Parameters<typeof multiSearch>[1], onChunk?: ChunkAnswered) => {
      const answer = await multiSearch(this.config, searches, signal, onChunk);
      tookMs += answer.tookMs;
      return answer;
    };
    const outcomes: (SearchOutcome | undefined)[] = new Array(plans.length);
    const again: number[] = [];
    // A member's outcome is final when no further search is due for it; then told at once, when asked to.
    // Whether another _msearch request is in flight while the chunk being taken is told (see ChunkAnswered).
    let overlapped = false;
    const place = (m: number, outcome: SearchOutcome) => {
      if (settle && (!outcome.ok || !furtherSearch(plans[m]!, outcome.response))) settle(m, outcome, overlapped);
      else outcomes[m] = outcome;
    };
    const answered = new Array<boolean>(units.length);
    const take = (u: number, outcome: SearchOutcome) => {
      const unit = units[u]!;
      answered[u] = true;
      if (!unit.fused) place(unit.members[0]!, outcome);
      else if (!outcome.ok) {
        if (outcome.own || outcome.rejected) again.push(...unit.members);
        else for (const m of unit.members) place(m, outcome);
      } else {
        const buckets = fusedBuckets(outcome.response);
        unit.members.forEach((m, j) => {
          const response = memberResponse(outcome.response, buckets, requests[m]!.body, j);
          place(m, response ? { ok: true, response } : { ok: false, error: 'the fused search brought no answer for this alert' });
        });
      }
    };
    // Only the count and failure of the first _msearch are kept: its answers were told to `take` and are not held.
    const { requests: firstCalls, failure: firstFailure } = await search(
      units.map((u) => u.request),
      (start, answers, inFlight) => {
        overlapped = inFlight;
        try {
          // Each answer read in turn, taken (its alerts evaluated) and dropped before the next is read.
          for (let k = 0; k < answers.length; k++) take(start + k, answers.at(k) ?? { ok: false as const, error: 'no answer for this search' });
        } finally {
          overlapped = false;
        }
      },
    );
    units.forEach((_, u) => {
      if (!answered[u]) take(u, { ok: false as const, error: 'no answer for this search' });
    });
    let calls = firstCalls;
    let failure = firstFailure;
    if (again.length) {
      const second = await search(again.map((m) => requests[m]!));
      again.forEach((m, i) => (outcomes[m] = second.outcomes[i] ?? { ok: false, error: 'no answer for this search' }));
      calls += second.requests;
      failure ??= second.failure;
    }
    // A group_by search that left keys out (more than group_size) fetches the next keys, page by page (bounded).
    const paged = await fetchGroupPages(
      plans.map((plan, i) => {
        const outcome = outcomes[i];
        return outcome?.ok ? { request: requests[i]!, groupBy: plan.alert.group_by, response: outcome.response } : undefined;
      }),
      search,
      signal,
    );
    paged.responses.forEach((response, i) => {
      const outcome = outcomes[i];
      if (response && !(outcome?.ok && outcome.response === response)) outcomes[i] = { ok: true, response };
    });
    calls += paged.requests;
    failure ??= paged.failure;
    // Rule types that check the first answer with a second search (new_term) get it in one more _msearch.
    const followUps = plans.flatMap((plan, i) => {
      const outcome = outcomes[i];
      const request = outcome?.ok ? buildFollowUp(plan.alert, plan.window, outcome.response) : undefined;
      return request ? [{ i, request }] : [];
    });
    if (followUps.length) {
      const second = await search(followUps.map((f) => f.request));
      followUps.forEach(({ i }, n) => {
        const answer = second.outcomes[n];
        const found = outcomes[i] as Extract<SearchOutcome, { ok: true }>;
        const error = answer?.ok ? undefined : `second search (the rule type's follow-up: new_term's history check, temporal's event times): ${answer?.error ?? 'no answer'}`;
        if (error === undefined) outcomes[i] = { ok: true, response: { ...found.response, followUp: (answer as Extract<SearchOutcome, { ok: true }>).response } };
        // A rule type that can judge without the answer does, saying why (temporal: on first and last matches).
        else outcomes[i] = followUpOptional(plans[i]!.alert) ? { ok: true, response: { ...found.response, followUpError: error } } : { ok: false, error };
      });
      calls += second.requests;
      failure ??= second.failure;
    }
    // Holes where an outcome went to `settle` (see Source.fetch).
    return { outcomes, calls, tookMs, failure };
  }
}

/** Whether an answered search asks for another: a page of further group_by keys, or its rule type's follow-up. */
function furtherSearch(plan: PlannedRequest<SearchAlertDef>, response: SearchResponse): boolean {
  return (!!plan.alert.group_by && eventsLeftOut(response) > 0) || buildFollowUp(plan.alert, plan.window, response) !== undefined;
}
