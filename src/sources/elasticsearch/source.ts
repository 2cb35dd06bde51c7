import type { Window } from '../../model/window.js';
import type { FetchResult, PlannedRequest, Source } from '../types.js';
import { buildFollowUp, buildSearch } from './buildSearch.js';
import { multiSearch, type SearchOutcome } from './msearch.js';
import type { ElasticsearchConfig, SearchAlertDef } from './types.js';

/** The cluster as a source: each due alert is one search of the run's `_msearch` (chunked). */
export class ElasticsearchSource implements Source<SearchAlertDef> {
  readonly name = 'elasticsearch';
  readonly actions = {};

  constructor(private readonly config: ElasticsearchConfig) {}

  /** The search for one alert over its window, shaped by its rule type. */
  plan(alert: SearchAlertDef, window: Window): PlannedRequest<SearchAlertDef> {
    return { alert, window, request: buildSearch(alert, window) };
  }

  /** All due searches through `_msearch`, `msearch_chunk` per request; an item's error is that alert's only. */
  async fetch(plans: PlannedRequest<SearchAlertDef>[], _now: number, signal?: AbortSignal): Promise<FetchResult> {
    const result = await multiSearch(this.config, plans.map((p) => p.request as ReturnType<typeof buildSearch>), signal);
    const outcomes = result.outcomes;
    // Rule types that check the first answer with a second search (new_term) get it in one more _msearch.
    const followUps = plans.flatMap((plan, i) => {
      const outcome = outcomes[i];
      const request = outcome?.ok ? buildFollowUp(plan.alert, plan.window, outcome.response) : undefined;
      return request ? [{ i, request }] : [];
    });
    if (!followUps.length) return { outcomes, calls: result.requests, failure: result.failure };
    const second = await multiSearch(this.config, followUps.map((f) => f.request), signal);
    followUps.forEach(({ i }, n) => {
      const answer = second.outcomes[n];
      const first = outcomes[i] as Extract<SearchOutcome, { ok: true }>;
      outcomes[i] = answer?.ok ? { ok: true, response: { ...first.response, followUp: answer.response } } : { ok: false, error: `second search (history check): ${answer?.error ?? 'no answer'}` };
    });
    return { outcomes, calls: result.requests + second.requests, failure: result.failure ?? second.failure };
  }
}
