import { existsSync } from 'node:fs';
import { parseDuration } from '../util/duration.js';
import { durationOf } from './elastalertTime.js';
import { convertAlerters, type ImportNote } from './alerters/index.js';
import type { ChannelBook } from './channels.js';
import { convertDigest, DIGEST_KEYS } from './digest.js';
import { enhancementRefusal, ENHANCEMENT_KEYS } from './enhancements.js';
import { convertFilter, type FilterProblem } from './filters.js';
import { whereOf, type ElastAlertRule } from './readRules.js';
import { quoteData } from './quote.js';
import { convertJinja, convertTemplate } from './templates.js';
import { termsOf } from './termFields.js';
import { plainMap } from '../util/plainMap.js';
import { findRuleType } from '../rules/registry.js';
import { bucketBudgetProblem } from '../rules/frequency.js';

/** One alert converted from a rule: the alert file's name and content, its query body, and the rule type it came from. */
export interface ConvertedRule {
  source: string;
  name: string;
  type: string;
  alert: Record<string, unknown>;
  query: Record<string, unknown>;
  /** Of an alert split from a rule with several new_term terms: the note that names the alerts, shared by all of them. */
  splitNote?: ImportNote;
}

/** The note of a new_term rule split into one alert per term, naming the alerts as they are finally written. */
export function splitNoteMessage(names: readonly string[]): string {
  return `${names.length} separate terms in ElastAlert2 (each entry checked on its own): written as ${names.length} alerts, ${names.join(', ')}; write a list in a list (fields: [[a, b]]) for one term of several fields; ElastAlert2's realert is one for all the terms, each alert here throttles on its own`;
}

/** Rule options per ElastAlert2 type that carry over under the same name into the condition (or are handled below). */
const TYPE_OPTIONS: Readonly<Record<string, string[]>> = plainMap(Object.entries({
  any: [],
  frequency: ['num_events', 'timeframe'],
  flatline: ['threshold', 'timeframe'],
  spike: ['timeframe', 'spike_height', 'spike_type', 'threshold_cur', 'threshold_ref', 'field_value', 'alert_on_new_data'],
  new_term: ['fields', 'terms_window_size'],
  cardinality: ['cardinality_field', 'timeframe', 'max_cardinality', 'min_cardinality'],
  change: ['compare_key', 'timeframe'],
  percentage_match: ['match_bucket_filter', 'min_percentage', 'max_percentage', 'min_denominator'],
  metric_aggregation: ['metric_agg_key', 'metric_agg_type', 'max_threshold', 'min_threshold', 'min_doc_count'],
  blacklist: ['compare_key', 'blacklist'],
  whitelist: ['compare_key', 'whitelist', 'ignore_null'],
}));

/** Options of ElastAlert2 that alertcron does not need: it always counts in the engine, in one search per run. */
const NOT_NEEDED = new Set(['name', 'use_count_query', 'use_terms_query', 'terms_size', 'window_step_size', 'query_key', 'compound_query_key', 'alert_text_type', 'jinja_root_name', 'alert_subject_args', 'alert_text_args', 'alert_text_kw', 'alert_subject', 'alert_text', 'is_enabled', 'description', 'realert', 'run_every', 'query_delay', 'index', 'timestamp_field', 'timestamp_type', 'use_strftime_index', 'filter', 'type', 'buffer_time']);

/** Why an ElastAlert2 option has no alertcron equivalent, for the options users meet most. */
const WHY_NOT: Readonly<Record<string, string>> = plainMap(Object.entries({
  realert_key: 'throttles are per alert and key, never shared between alerts',
  include: 'notices carry the newest event\'s fields; samples: sets how many events',
  include_match_in_root: 'templates read the event\'s fields directly',
  attach_related: 'notices carry up to samples: events of the key',
  forget_keys: 'flatline checks the keys seen within key_history (default 7d)',
  bucket_interval: 'the metric is computed over the whole timeframe',
  sync_bucket_interval: 'the metric is computed over the whole timeframe',
  metric_agg_script: 'a Painless metric needs the query\'s own aggs and a buckets condition',
  percentile_range: 'percentiles are not a metric_agg_type of alertcron',
  allow_buffer_time_overlap: 'the timeframe always ends at the window\'s end',
  use_run_every_query_size: 'without timeframe the metric is computed over the run\'s window',
  alert_on_missing_field: 'events without the field are not terms',
  use_keyword_postfix: 'fields are used as written: name the keyword field (e.g. user.name.keyword) if the field is text',
  scan_entire_timeframe: 'each run searches its window (or the rule type\'s timeframe) once',
  limit_execution: 'active hours are not supported: use a silence, or enabled: false',
  owner: 'no owner field: keep it in description',
  priority: 'no priority field: keep it in description',
  category: 'no category field: keep it in description',
  generate_kibana_link: 'no Kibana links in notices',
  kibana_url: 'no Kibana links in notices',
  kibana_discover_app_url: 'no Kibana links in notices',
  generate_kibana_discover_url: 'no Kibana links in notices',
  use_kibana4_dashboard: 'no Kibana links in notices',
  doc_type: 'mapping types are gone from Elasticsearch 7+ and OpenSearch',
  es_host: 'alertcron has one cluster, in alertcron.yaml',
  es_port: 'alertcron has one cluster, in alertcron.yaml',
  alert_missing_value: 'a missing value renders as nothing',
  ignore_null: 'events without compare_key are always ignored',
}));

/** An alert file name from a rule's name: letters, digits, `.`, `_` and `-` only, at most 80 characters. */
export function alertNameOf(name: string): string {
  // At most 80 characters: a rule's name is data, and a file name has a length limit.
  return name.trim().toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+/, '').slice(0, 80).replace(/-+$/, '') || 'rule';
}

/**
 * Converts one ElastAlert2 rule (its imports applied) into an alertcron alert and query: its type into a
 * condition, filters into the query, query_key into group_by, realert into throttle, its texts into templates,
 * its alerters into channels of the book. Every option it cannot carry over is a note at its `file:line`, once; a
 * rule that cannot work without one (an unknown type, an unusable filter, no channel) is skipped, with its reason.
 * A new_term rule with several separate terms becomes one alert per term.
 */
export function convertRule(rule: ElastAlertRule, book: ChannelBook, notes: ImportNote[]): ConvertedRule[] | { skipped: ImportNote } {
  const v = rule.value;
  const at = (key: string) => (rule.origin.get(key) ? whereOf(rule.origin.get(key)!) : rule.file);
  // The notes of this rule start here: an option noted once is not noted again as "no such option".
  const firstNote = notes.length;
  const note = (key: string, message: string) => notes.push({ where: at(key), option: key, message });
  const skip = (key: string, message: string) => ({ skipped: { where: at(key), option: key, message } });
  const sourceType = String(v.type ?? '');
  const name = typeof v.name === 'string' ? v.name : rule.file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  if (!v.type) return skip('type', 'no type: (a fragment that nothing imports, or not a rule): skipped');
  // A spike of a field's average is alertcron's spike with field_value; a spike of another metric has no equivalent.
  const averageSpike = sourceType === 'spike_aggregation' && v.metric_agg_type === 'avg' && typeof v.metric_agg_key === 'string' && v.metric_agg_key !== '';
  if (sourceType === 'spike_aggregation' && !averageSpike) return skip('type', `type spike_aggregation of ${quoteData(v.metric_agg_type)} has no alertcron rule type (alertcron's spike compares event counts, or a field's average: metric_agg_type avg): skipped`);
  const type = averageSpike ? 'spike' : sourceType;
  if (!TYPE_OPTIONS[type]) return skip('type', `type ${quoteData(type)} has no alertcron rule type (a Python class is not supported): skipped`);
  if (typeof v.index !== 'string' || !v.index) return skip('index', 'no index: skipped');
  // A match enhancement is Python that may drop matches: never an alert that notifies on every one of them.
  const refused = enhancementRefusal(rule, note);
  if (refused) return { skipped: refused };
  const used = new Set<string>([...NOT_NEEDED, ...ENHANCEMENT_KEYS]);

  // The query: the filters, concatenated along the import chain, in one bool filter.
  const clauses: unknown[] = [];
  for (const filter of rule.filters) {
    const problems: FilterProblem[] = [];
    const clause = convertFilter(filter.value, [], problems);
    if (problems.length) {
      const p = problems[0]!;
      return { skipped: { where: whereOf({ yaml: filter.origin.yaml, path: [...filter.origin.path, ...p.path] }), option: 'filter', message: `${p.message}: skipped (a rule without its filter would alert on everything)` } };
    }
    clauses.push(clause);
  }
  const query = { query: clauses.length ? { bool: { filter: clauses } } : { match_all: {} } };

  // The condition: the type's own options under their ElastAlert2 names.
  const condition: Record<string, unknown> = { type };
  for (const option of TYPE_OPTIONS[type]!) {
    used.add(option);
    if (v[option] === undefined) continue;
    if (option === 'timeframe' || option === 'terms_window_size') {
      const duration = durationOf(v[option]);
      if (!duration) return skip(option, `${option} must be a time such as {minutes: 5}: skipped`);
      condition[option] = duration;
    } else condition[option] = v[option];
  }
  const terms = type === 'new_term' ? termsOf(v.fields, v.query_key) : undefined;
  if (terms && 'problem' in terms) return skip(terms.option, terms.problem);
  if (averageSpike) {
    used.add('metric_agg_key').add('metric_agg_type');
    condition.field_value = v.metric_agg_key;
    note('type', `a spike_aggregation of the average of ${quoteData(v.metric_agg_key)}: written as a spike with field_value (threshold_cur and threshold_ref bound the averages, as in ElastAlert2)`);
  }
  if (type === 'change') {
    used.add('ignore_null');
    if (v.ignore_null === true) condition.ignore_null = true;
    else if (v.ignore_null === false) note('ignore_null', 'not converted: events without compare_key are always ignored');
  }
  if (type === 'metric_aggregation' && !['min', 'max', 'avg', 'sum', 'cardinality', 'value_count'].includes(String(v.metric_agg_type))) {
    return skip('metric_agg_type', `metric_agg_type ${quoteData(v.metric_agg_type)} is not one of min, max, avg, sum, cardinality, value_count: skipped`);
  }
  if ((type === 'metric_aggregation' || type === 'percentage_match') && v.buffer_time !== undefined) {
    // ElastAlert2 computes these over buffer_time, ending now.
    const duration = durationOf(v.buffer_time);
    if (duration) condition.timeframe = duration;
  } else if (v.buffer_time !== undefined && !isConfigKey(rule, 'buffer_time')) {
    note('buffer_time', 'not converted: each run searches from where the last one ended; set ingest_delay for events that arrive late');
  }
  if (v.timeframe !== undefined && !TYPE_OPTIONS[type]!.includes('timeframe')) note('timeframe', `not converted: a ${type} rule has no timeframe`);

  const alert: Record<string, unknown> = { description: typeof v.description === 'string' ? v.description.trim() : name };
  if (v.is_enabled === false) alert.enabled = false;
  let index = v.index;
  if (v.use_strftime_index === true && /%[a-zA-Z]/.test(index)) {
    // logstash-%Y.%m.%d: the date part, separators included, becomes one wildcard.
    index = index.replace(/%[a-zA-Z](?:[^%,a-zA-Z0-9]*%[a-zA-Z])*/g, '*');
    note('use_strftime_index', `the index ${quoteData(v.index)} is searched as ${quoteData(index)}`);
  }
  alert.index = index;
  alert.query = `${alertNameOf(name)}.json`;
  if (typeof v.timestamp_field === 'string' && v.timestamp_field !== '@timestamp') alert.timestamp_field = v.timestamp_field;
  if (v.timestamp_type !== undefined && v.timestamp_type !== 'iso') note('timestamp_type', `not converted: alertcron searches ${quoteData(v.timestamp_field ?? '@timestamp')} as a date field (${quoteData(v.timestamp_type)} timestamps need a date mapping)`);
  const every = durationOf(v.run_every);
  if (every) alert.every = every;
  const delay = durationOf(v.query_delay);
  if (delay) alert.ingest_delay = delay;
  alert.condition = condition;
  if (type === 'new_term') {
    // A new term's key is the term itself: a query_key beside fields has no meaning here.
    const sameTerm = terms && 'terms' in terms && terms.terms.length === 1 && [JSON.stringify(terms.terms[0]), JSON.stringify(terms.terms[0]![0])].includes(JSON.stringify(v.query_key));
    if (v.query_key !== undefined && terms && 'from' in terms && terms.from === 'fields' && !sameTerm) note('query_key', 'not converted: a new_term alert is keyed by its fields (the term)');
  } else if (v.query_key !== undefined) {
    alert.group_by = v.query_key;
    if (type === 'frequency' && typeof condition.timeframe === 'string') fitBuckets(condition.timeframe, alert, (message) => note('timeframe', message));
  }
  convertTopCounts(v, type, alert, note, used);
  const list = v.blacklist ?? v.whitelist;
  if ((type === 'blacklist' || type === 'whitelist') && Array.isArray(list)) {
    for (const entry of list) {
      if (typeof entry === 'string' && /^!file\s+[^/]/.test(entry)) note(type, `the entry "${quoteData(entry)}" names a file relative to ElastAlert2's working folder; alertcron reads it relative to the alert file: make the path absolute`);
      else if (typeof entry === 'string' && /^!file\s+\//.test(entry) && !existsSync(entry.replace(/^!file\s+/, '').trim())) note(type, `the entry "${quoteData(entry)}" names a file that is not on this machine: copy it there before alertcron validate (which names it missing)`);
    }
  }
  for (const key of DIGEST_KEYS) used.add(key);
  // A digest option of config.yaml is named only for the rules that aggregate.
  const digest = convertDigest(v, durationOf, (key, message) => (v.aggregation === undefined && isConfigKey(rule, key) ? undefined : note(key, message)));
  // ElastAlert2's realert defaults to one minute, none when the rule's own aggregation collects every match (a
  // period that could not be converted keeps the minute); alertcron's throttle to 30m: always written out.
  const defaultRealert = digest && !isConfigKey(rule, 'aggregation') ? '0s' : '1m';
  alert.throttle = v.realert === undefined ? defaultRealert : durationOf(v.realert) ?? defaultRealert;
  if (v.realert !== undefined && !durationOf(v.realert)) note('realert', `not a time such as {minutes: 10}: the throttle is ElastAlert2's default, ${defaultRealert}`);
  const repeats = repeatNote(type, alert.throttle as string, condition.timeframe);
  if (repeats) note(v.realert !== undefined ? 'realert' : 'timeframe', repeats);
  if (v.exponential_realert !== undefined) {
    used.add('exponential_realert');
    const cap = durationOf(v.exponential_realert);
    if (cap && !/^(0+(ms|s|m|h|d|w))+$/.test(cap)) alert.exponential_throttle = cap;
    else note('exponential_realert', 'not a time such as {hours: 1}: not converted, the throttle is fixed');
  }
  if (digest) alert.digest = digest;

  const alerters = convertAlerters(rule, book, notes);
  for (const key of alerters.used) used.add(key);
  if (!alerters.notify.length) return skip('alert', 'none of its alerters has an alertcron channel it converts to (a Python alerter class, an alerter with no alertcron channel, or one that names no destination: see the notes): skipped');
  alert.notify = alerters.notify;

  for (const [key, target] of [['alert_subject', 'title'], ['alert_text', 'message']] as const) {
    if (typeof v[key] !== 'string') continue;
    if (key === 'alert_text' && v.alert_text_type === 'alert_text_jinja') {
      const jinja = convertJinja(v[key] as string, typeof v.jinja_root_name === 'string' ? v.jinja_root_name : undefined);
      if (jinja.template !== undefined) alert[target] = jinja.template;
      else note('alert_text', `not converted: ${jinja.problem}`);
      continue;
    }
    const { template, problems } = convertTemplate(v[key] as string, v[`${key}_args`], key === 'alert_text' ? v.alert_text_kw : undefined);
    alert[target] = template;
    for (const problem of problems) note(key, problem);
  }
  // aggregation_summary_only: the message is the summary table, as a digest's is.
  if (typeof v.alert_text_type === 'string' && !['alert_text_only', 'alert_text_jinja', ...(digest ? ['aggregation_summary_only'] : [])].includes(v.alert_text_type)) note('alert_text_type', `not converted: ${quoteData(v.alert_text_type)}; the message is the alert_text alone`);

  const noted = new Set(notes.slice(firstNote).map((n) => n.option));
  for (const key of Object.keys(v)) {
    if (used.has(key) || noted.has(key) || isConfigKey(rule, key)) continue;
    note(key, `not converted: ${WHY_NOT[key] ?? 'alertcron has no such option'}`);
  }
  const converted = { source: rule.file, name: alertNameOf(name), type: sourceType, alert, query };
  if (!terms || !('terms' in terms)) return [converted];
  if (terms.terms.length === 1) return [{ ...converted, alert: { ...alert, condition: { ...condition, fields: terms.terms[0] } } }];
  // ElastAlert2 checks each entry of fields on its own: an alert per term, named after its fields.
  const perTerm = terms.terms.map((term) => {
    const suffix = alertNameOf(term.join('-'));
    const termName = `${converted.name.slice(0, Math.max(1, 79 - suffix.length)).replace(/-+$/, '')}-${suffix}`;
    return { ...converted, name: termName, alert: { ...alert, condition: { ...condition, fields: term } } };
  });
  // Named here as converted; the importer names them again once their names are made unique among all rules.
  note('fields', splitNoteMessage(perTerm.map((t) => t.name)));
  const splitNote = notes[notes.length - 1]!;
  return perTerm.map((one) => ({ ...one, splitNote }));
}

/** Most top values of one field an alert lists (top_count_number's schema bound). */
const MAX_TOP_COUNT_NUMBER = 100;
/** Most top_count_keys fields an alert names (the schema's bound). */
const MAX_TOP_COUNT_KEYS = 10;

/** top_count_keys and top_count_number as they are, for the rule types whose findings are events; a note otherwise. */
function convertTopCounts(v: Record<string, unknown>, type: string, alert: Record<string, unknown>, note: (key: string, message: string) => void, used: Set<string>): void {
  used.add('top_count_keys').add('top_count_number').add('raw_count_keys').add('string_multi_field_name');
  const keys = v.top_count_keys;
  if (keys === undefined) return;
  if (!Array.isArray(keys) || !keys.length || !keys.every((k) => typeof k === 'string' && k)) return note('top_count_keys', 'not converted: must be a list of field names');
  if (!findRuleType(type)?.topCounts) return note('top_count_keys', `not converted: a ${type} alert's findings are not the events of a key, so they have no top values`);
  // ElastAlert2 counts on each field's keyword sub-field (string_multi_field_name, default .keyword) unless raw_count_keys: false.
  const suffix = typeof v.string_multi_field_name === 'string' && v.string_multi_field_name ? v.string_multi_field_name : '.keyword';
  const keyword = v.raw_count_keys !== false;
  const fields = [...new Set((keys as string[]).map((field) => (keyword && !field.endsWith(suffix) ? `${field}${suffix}` : field)))];
  if (keyword && (keys as string[]).some((field) => !field.endsWith(suffix))) note('top_count_keys', `counted on ${fields.join(', ')}, as ElastAlert2 does (it adds ${suffix} unless raw_count_keys: false)`);
  alert.top_count_keys = fields.slice(0, MAX_TOP_COUNT_KEYS);
  if (fields.length > MAX_TOP_COUNT_KEYS) note('top_count_keys', `only the first ${MAX_TOP_COUNT_KEYS} fields are converted, the most alertcron counts`);
  const number = v.top_count_number;
  if (number === undefined) return;
  if (!Number.isInteger(number) || (number as number) < 1) return note('top_count_number', 'not converted: must be a whole number of 1 or more; 5 values are listed');
  alert.top_count_number = Math.min(number as number, MAX_TOP_COUNT_NUMBER);
  if ((number as number) > MAX_TOP_COUNT_NUMBER) note('top_count_number', `lowered to ${MAX_TOP_COUNT_NUMBER}, the most alertcron lists`);
}

/** A note for a spike or flatline whose throttle is shorter than its timeframe: it repeats on every run while the condition lasts. */
function repeatNote(type: string, throttle: string, timeframe: unknown): string | undefined {
  if ((type !== 'spike' && type !== 'flatline') || typeof timeframe !== 'string') return undefined;
  try {
    if (parseDuration(throttle) >= parseDuration(timeframe)) return undefined;
  } catch {
    return undefined; // a time beyond alertcron's limits is reported by validate
  }
  return `the throttle ${throttle} (ElastAlert2's realert) is shorter than the timeframe ${timeframe}: a ${type} lasts about a timeframe and is notified again every ${throttle} while it does; set throttle: ${timeframe} for one notice per ${type}`;
}

/** True for a key that came from config.yaml (a global default) rather than from a rule file or its imports. */
function isConfigKey(rule: ElastAlertRule, key: string): boolean {
  return rule.configFile !== undefined && rule.origin.get(key)?.yaml.file === rule.configFile;
}

/** The longest window a run of a converted alert searches: alertcron's default max_catchup (the import writes none). */
const DEFAULT_LONGEST_WINDOW = 24 * 3_600_000;

/**
 * A grouped frequency alert whose short timeframe over a day's catch-up would ask the cluster for more buckets than
 * it allows with alertcron's 100 keys (validate refuses it) gets the largest group_size that fits, noted.
 */
function fitBuckets(timeframe: string, alert: Record<string, unknown>, note: (message: string) => void): void {
  let ms: number;
  try {
    ms = parseDuration(timeframe);
  } catch {
    return;
  }
  if (!bucketBudgetProblem(ms, DEFAULT_LONGEST_WINDOW, 100, true)) return;
  let keys = 99;
  while (keys > 0 && bucketBudgetProblem(ms, DEFAULT_LONGEST_WINDOW, keys, true)) keys--;
  if (keys === 0) return note(`a ${timeframe} timeframe over a catch-up of up to 1d needs more buckets than the cluster allows even for one key: lengthen timeframe, or lower max_catchup`);
  alert.group_size = keys;
  note(`a ${timeframe} timeframe over a catch-up of up to 1d needs many buckets per key: group_size: ${keys} keeps the search within the cluster's bucket limit (a window with more keys says so with a warning); lower max_catchup to keep more keys`);
}
