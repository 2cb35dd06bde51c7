import type { SearchRequest, SearchResponse } from '../model/search.js';
import { PROBLEM_KIND, type ProblemObservation } from '../policy/alertProblems.js';
import { multiSearch } from '../sources/elasticsearch/msearch.js';
import type { ElasticsearchConfig, SearchAlertDef } from '../sources/elasticsearch/types.js';

/** How often one alert's timestamp_field is checked by the field check (at most). */
export const FIELD_CHECK_EVERY = 24 * 60 * 60_000;
/** How long after a field check whose search failed it is tried again (not a day: it found nothing out). */
export const FIELD_CHECK_RETRY = 60 * 60_000;
/** The aggregation that reads the newest value of the time field: null when no event has one. */
const NEWEST = 'alertcron_newest';

/**
 * The daily field check: for alerts whose window found nothing, one `_msearch` (chunked like the run's own) with
 * one size-0 search per index pattern and timestamp_field over all time, reading the field's newest value. It
 * tells a time field that no event has (unmapped, or misspelt), which a run's answer cannot tell from a quiet
 * minute. An empty index, a failed search or a numeric field say nothing (a text or keyword time field already
 * fails the alert's own search, with the cluster's reason, every run).
 */
export async function checkTimestampFields(config: ElasticsearchConfig, alerts: readonly SearchAlertDef[], signal?: AbortSignal): Promise<{ observations: Map<string, ProblemObservation>; requests: number; answered: Set<string> }> {
  const observations = new Map<string, ProblemObservation>();
  // The alerts whose check search the cluster answered: only they count as checked.
  const answered = new Set<string>();
  const pairs = new Map<string, { index: string; field: string; alerts: string[] }>();
  for (const alert of alerts) {
    const id = `${alert.index}\u0000${alert.timestamp_field}`;
    const pair = pairs.get(id) ?? { index: alert.index, field: alert.timestamp_field, alerts: [] };
    pair.alerts.push(alert.name);
    pairs.set(id, pair);
  }
  if (!pairs.size) return { observations, requests: 0, answered };
  const list = [...pairs.values()];
  const searches: SearchRequest[] = list.map((p) => ({ index: p.index, body: { size: 0, track_total_hits: 1, aggs: { [NEWEST]: { max: { field: p.field } } } } }));
  const answer = await multiSearch(config, searches, signal);
  list.forEach((pair, i) => {
    const outcome = answer.outcomes[i];
    if (!outcome) return;
    if (outcome.ok) for (const name of pair.alerts) answered.add(name);
    const seen = outcome.ok ? judgeAnswer(pair, outcome.response) : undefined;
    if (seen) for (const name of pair.alerts) observations.set(name, seen);
  });
  return { observations, requests: answer.requests, answered };
}

/** What a field check answer says: no event has the field (a problem), a date (fine), or nothing to judge by. */
export function judgeAnswer(pair: { index: string; field: string }, response: SearchResponse): ProblemObservation | undefined {
  const total = response.hits?.total;
  const hits = typeof total === 'number' ? total : total?.value;
  const newest = response.aggregations?.[NEWEST] as { value?: unknown; value_as_string?: unknown } | undefined;
  if (typeof hits !== 'number' || hits <= 0 || !newest || typeof newest !== 'object' || !('value' in newest)) return undefined;
  if (newest.value === null) {
    return { kind: PROBLEM_KIND.timestamp, immediate: true, message: `no event in the indices matching "${pair.index}" has a value in timestamp_field "${pair.field}": the time window matches nothing (name the field the events carry their time in, e.g. @timestamp)` };
  }
  return typeof newest.value_as_string === 'string' ? { kind: PROBLEM_KIND.timestamp } : undefined;
}
