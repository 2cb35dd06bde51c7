/**
 * What to write instead of an ElastAlert2 option that alertcron does not take, for the "unknown key" message: a
 * rule carried over by hand then says how to fix it, and why the option is not needed.
 */
const HINTS: Record<string, string> = {
  query_key: 'ElastAlert2\'s query_key is group_by here: a field, or a list of fields for a compound key',
  compound_query_key: 'use group_by with a list of fields',
  use_count_query: 'not needed: alertcron always counts in the cluster and fetches no documents to count; remove it',
  use_terms_query: 'not needed: alertcron always counts per key in the cluster; remove it',
  terms_size: 'the number of keys is the alert\'s group_size, 100 by default, and a run warns when keys are left out instead of dropping them silently; remove it or set group_size',
  realert: 'use throttle, per key: e.g. throttle: 10m',
  exponential_realert: 'use exponential_throttle: e.g. throttle: 1m with exponential_throttle: 1h',
  query_delay: 'use ingest_delay',
  buffer_time: 'each run resumes where the last one ended, so no event is missed; for late events use ingest_delay',
  run_every: 'use every',
  filter: 'put the filters in query, a query body such as {query: {bool: {filter: [...]}}}',
  alert: 'use notify: the names of channels in alertcron.yaml',
  doc_type: 'obsolete since Elasticsearch 7: remove it',
  attach_related: 'samples: N brings the newest N events of each key',
  use_keyword_postfix: 'field names are used as written: name the keyword field, e.g. user.name.keyword; alertcron validate --cluster checks it',
  window_step_size: 'new_term reads its whole terms_window_size in one aggregation: remove it',
  forget_keys: 'flatline watches the keys seen within key_history: set key_history instead',
  alert_on_missing_field: 'not supported: events without the fields are not terms',
  metric_agg_script: 'not supported: use a script condition, or an aggregation in the query with a buckets condition',
  percentile_range: 'not supported: use a percentiles aggregation in the query with a buckets condition',
};

/** The hint for an ElastAlert2 option alertcron does not take, or undefined for any other key. */
export function elastalertHint(key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HINTS, key) ? HINTS[key] : undefined;
}
