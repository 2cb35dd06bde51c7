import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import type { Window } from '../model/window.js';
import { bucketKey, bucketsOf, describeFields, groupAggregation, otherCount, type GroupBucket } from './groupKey.js';
import { bucketSamples } from './hits.js';
import { isoTime } from './perKey.js';
import { newestFirst, SAMPLES_AGG, withFilter } from './search.js';
import type { NewTermCondition, RuleType } from './types.js';

const TERMS = 'alertcron_terms';
const FIRST_SEEN = 'alertcron_first_seen';
/** The history a term must be absent from when the alert does not say (ElastAlert2's terms_window_size default). */
export const DEFAULT_TERMS_WINDOW = 30 * 86_400_000;

/**
 * `new_term`: the values of a field (or of several fields together) whose first appearance within
 * terms_window_size lies in the run's window. Two searches of the same run: the window's values (the candidates),
 * then those candidates alone over the history before the window. Both are exact across shards and indices
 * (no ordering by a sub-aggregation, which daily indices would get wrong), and nothing about seen values is kept:
 * a restart or a long downtime neither floods nor forgets, and a term not seen for terms_window_size is new again,
 * as in ElastAlert2.
 */
export const newTermRule: RuleType<NewTermCondition> = {
  type: 'new_term',
  complete: (raw) => ({
    type: 'new_term',
    fields: typeof raw.fields === 'string' ? [raw.fields] : (raw.fields as string[]),
    terms_window_size: typeof raw.terms_window_size === 'string' ? parseDuration(raw.terms_window_size) : DEFAULT_TERMS_WINDOW,
  }),
  check(_raw, alert) {
    if (alert.group_by === undefined) return [];
    return [{ path: ['group_by'], message: 'does not apply to new_term, whose key is the term itself: list the fields that make the term in condition.fields (e.g. fields: [user.name, source.ip])' }];
  },
  fields: (condition) => condition.fields.map((field) => ({ key: 'fields', field })),
  search(base, alert, condition) {
    const samples = Math.max(1, alert.samples);
    return {
      ...base,
      size: 0,
      aggs: {
        [TERMS]: {
          ...groupAggregation(condition.fields, alert.group_size),
          aggs: { [FIRST_SEEN]: { min: { field: alert.timestamp_field } }, [SAMPLES_AGG]: { top_hits: { size: samples, sort: newestFirst(alert) } } },
        },
      },
    };
  },
  followUp(base, response, _alert, condition, window) {
    const candidates = bucketsOf(response.aggregations, TERMS);
    const history = historyOf(condition, window);
    if (!candidates.length || history.from >= history.to) return undefined;
    // Only the candidates' events: each shard holds at most candidates.length of them, so every one comes back.
    return {
      ...withFilter(base(history), candidatesFilter(condition.fields, candidates)),
      size: 0,
      aggs: { [TERMS]: groupAggregation(condition.fields, candidates.length, { shard_size: candidates.length }) },
    };
  },
  evaluate({ alert, condition, response }) {
    const known = new Set(bucketsOf(response.followUp?.aggregations, TERMS).map(bucketKey));
    const findings: Finding[] = [];
    for (const bucket of bucketsOf(response.aggregations, TERMS)) {
      if (known.has(bucketKey(bucket))) continue;
      const first = (bucket[FIRST_SEEN] as { value?: number | null } | undefined)?.value;
      const samples = bucketSamples(bucket);
      findings.push({ key: bucketKey(bucket), count: bucket.doc_count, fields: { ...(samples[0] ?? {}), ...(isoTime(first) ? { first_seen: isoTime(first) } : {}) }, samples });
    }
    const incomplete = otherCount(response, TERMS) > 0
      ? `more than group_size (${alert.group_size}) values of ${describeFields(condition.fields)} in this window: the rarest were not checked against the history (raise group_size)`
      : undefined;
    const found = bucketsOf(response.aggregations, TERMS).reduce((sum, bucket) => sum + bucket.doc_count, 0) + otherCount(response, TERMS);
    return { findings, incomplete, observed: { total: found } };
  },
};

/** The history a window's values are checked against: terms_window_size back from the window's end, up to its start. */
export function historyOf(condition: NewTermCondition, window: Window): Window {
  return { from: window.to - condition.terms_window_size, to: window.from };
}

/** A query matching the events of the candidate values (one field: a terms query; several: each combination). */
export function candidatesFilter(fields: readonly string[], candidates: readonly GroupBucket[]): Record<string, unknown> {
  if (fields.length === 1) return { terms: { [fields[0]!]: candidates.map((bucket) => bucket.key) } };
  const each = candidates.map((bucket) => ({ bool: { filter: fields.map((field, i) => ({ term: { [field]: (bucket.key as unknown[])[i] } })) } }));
  return { bool: { should: each, minimum_should_match: 1 } };
}
