import type { Window } from '../../model/window.js';
import type { FetchResult, PlannedRequest, Source } from '../types.js';
import { buildFollowUp, buildSearch, followUpOptional, fusionKey } from './buildSearch.js';
import { fusedBuckets, fuseSearches, memberResponse } from './fuse.js';
import { fetchGroupPages } from './groupPages.js';
import { multiSearch, type SearchOutcome } from './msearch.js';
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
   * as its alerts' own searches, so that only the faulty alert fails.
   */
  async fetch(plans: PlannedRequest<SearchAlertDef>[], _now: number, signal?: AbortSignal): Promise<FetchResult> {
    const requests = plans.map((p) => p.request as ReturnType<typeof buildSearch>);
    const units = fuseSearches(requests, plans.map((p) => fusionKey(p.alert, p.window)), this.config.fuse_alerts);
    let tookMs = 0;
    const search = async (searches: Parameters<typeof multiSearch>[1]) => {
      const answer = await multiSearch(this.config, searches, signal);
      tookMs += answer.tookMs;
      return answer;
    };
    const first = await search(units.map((u) => u.request));
    const outcomes: SearchOutcome[] = new Array(plans.length);
    const again: number[] = [];
    units.forEach((unit, u) => {
      const outcome = first.outcomes[u] ?? { ok: false as const, error: 'no answer for this search' };
      if (!unit.fused) outcomes[unit.members[0]!] = outcome;
      else if (!outcome.ok) {
        if (outcome.own || outcome.rejected) again.push(...unit.members);
        else for (const m of unit.members) outcomes[m] = outcome;
      } else {
        const buckets = fusedBuckets(outcome.response);
        unit.members.forEach((m, j) => {
          const response = memberResponse(outcome.response, buckets, requests[m]!.body, j);
          outcomes[m] = response ? { ok: true, response } : { ok: false, error: 'the fused search brought no answer for this alert' };
        });
      }
    });
    let calls = first.requests;
    let failure = first.failure;
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
      if (response) outcomes[i] = { ok: true, response };
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
    return { outcomes, calls, tookMs, failure };
  }
}
