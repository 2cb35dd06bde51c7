import type { Window } from '../../model/window.js';
import type { FetchResult, PlannedRequest, Source } from '../types.js';
import { buildSearch } from './buildSearch.js';
import { multiSearch } from './msearch.js';
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
    return { outcomes: result.outcomes, calls: result.requests, failure: result.failure };
  }
}
