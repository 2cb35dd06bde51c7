import type { Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { bucketKey, bucketsOf, describeFields, groupAggregation } from './groupKey.js';
import { bucketSamples } from './hits.js';
import { isoTime } from './perKey.js';
import { newestFirst, SAMPLES_AGG } from './search.js';
import type { NewTermCondition, RuleType } from './types.js';

const TERMS = 'alertcron_terms';
const FIRST_SEEN = 'alertcron_first_seen';
/** The history a term must be absent from when the alert does not say (ElastAlert2's terms_window_size default). */
export const DEFAULT_TERMS_WINDOW = 30 * 86_400_000;

/**
 * `new_term`: the values of a field (or of several fields together) whose first appearance within
 * terms_window_size lies in the run's window. It is computed from the index on each run (terms ordered by when
 * they were first seen, newest first), so it keeps no list of seen values: a restart or a long downtime neither
 * floods nor forgets, and a term not seen for terms_window_size is new again, as in ElastAlert2.
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
  span: (condition, window) => ({ from: Math.min(window.from, window.to - condition.terms_window_size), to: window.to }),
  search(base, alert, condition) {
    const samples = Math.max(1, alert.samples);
    return {
      ...base,
      size: 0,
      aggs: {
        [TERMS]: {
          ...groupAggregation(condition.fields, alert.group_size, { order: { [FIRST_SEEN]: 'desc' } }),
          aggs: { [FIRST_SEEN]: { min: { field: alert.timestamp_field } }, [SAMPLES_AGG]: { top_hits: { size: samples, sort: newestFirst(alert) } } },
        },
      },
    };
  },
  evaluate({ alert, condition, window, response }) {
    const findings: Finding[] = [];
    const buckets = bucketsOf(response.aggregations, TERMS);
    for (const bucket of buckets) {
      const first = (bucket[FIRST_SEEN] as { value?: number | null } | undefined)?.value;
      if (typeof first !== 'number' || first < window.from) continue;
      const samples = bucketSamples(bucket);
      findings.push({ key: bucketKey(bucket), count: bucket.doc_count, fields: { ...(samples[0] ?? {}), first_seen: isoTime(first) }, samples });
    }
    // Terms come newest first: if even the last one returned is new, there may be more new terms than group_size.
    const full = buckets.length >= alert.group_size && findings.length === buckets.length;
    const incomplete = full ? `more than group_size (${alert.group_size}) new values of ${describeFields(condition.fields)} in this window: the others were not reported (raise group_size)` : undefined;
    return { findings, incomplete };
  },
};
