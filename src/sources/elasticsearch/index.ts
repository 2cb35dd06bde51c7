import { join, resolve } from 'node:path';
import { findRuleType, RULE_TYPE_NAMES } from '../../rules/registry.js';
import type { ConditionDef, RuleType } from '../../rules/types.js';
import { parseDuration } from '../../util/duration.js';
import { jsonErrorOffset } from '../../util/jsonErrorOffset.js';
import { readInputFile } from '../../util/readInputFile.js';
import type { AlertContext, SourceDefinition, SourceProblem } from '../types.js';
import type { ElasticsearchConfig, SearchAlertDef, SearchAlertPart } from './types.js';
import type { CompiledSigma } from '../../sigma/types.js';
import { checkSigma, completeSigmaBase } from './sigmaAlert.js';

/** The Elasticsearch / OpenSearch source: alerts over an index, fused where they share a span, one `_msearch` per chunk of searches. */
export const elasticsearchSource: SourceDefinition<SearchAlertDef, ElasticsearchConfig> = {
  name: 'elasticsearch',
  alertKeys: ['index', 'query', 'sigma', 'timestamp_field', 'condition', 'group_by', 'group_size', 'top_count_keys', 'top_count_number'],
  windowed: true,
  completeConfig(raw, dir) {
    return {
      url: String(raw.url).replace(/\/+$/, ''),
      username: raw.username as string | undefined,
      password: raw.password as string | undefined,
      api_key: raw.api_key as string | undefined,
      ca_file: raw.ca_file ? resolve(dir, String(raw.ca_file)) : undefined,
      timeout: parseDuration((raw.timeout as string | undefined) ?? '30s'),
      msearch_chunk: (raw.msearch_chunk as number | undefined) ?? 200,
      fuse_alerts: (raw.fuse_alerts as number | undefined) ?? 100,
      msearch_concurrency: (raw.msearch_concurrency as number | undefined) ?? 1,
    };
  },
  checkAlert(raw, context) {
    const problems: SourceProblem[] = [];
    if (!context.section && !context.sectionUnknown) problems.push({ path: ['index'], message: 'alertcron.yaml has no elasticsearch: section to search this index in' });
    // A Sigma alert's query, and for a correlation its condition and key, come from the compiled rule.
    const sigma = raw.sigma === undefined ? undefined : checkSigma(raw, context, problems);
    const query = sigma ? sigma.query : readQuery(raw.query, context, problems);
    const own = sigma?.condition ? { ...raw, condition: sigma.condition, group_by: sigma.group_by } : raw;
    const condition = own.condition as Record<string, unknown> | undefined;
    const rule = condition && typeof condition.type === 'string' ? findRuleType(condition.type) : undefined;
    if (rule?.check) problems.push(...rule.check(condition!, { group_by: own.group_by, query, group_size: (raw.group_size as number | undefined) ?? 100, longest_window: longestWindow(raw, context) }, context.path));
    problems.push(...topCountProblems(raw, rule));
    return { problems, extra: { query, ...(sigma ? { sigma } : {}) } };
  },
  completeAlert(given, commonPart, context, extra) {
    const sigma = extra?.sigma as CompiledSigma | undefined;
    const raw = sigma?.condition ? { ...given, condition: sigma.condition, group_by: sigma.group_by } : given;
    const base = sigma ? completeSigmaBase(given, commonPart, sigma, context) : commonPart;
    const rawCondition = (raw.condition ?? { type: 'any' }) as Record<string, unknown> & { type: string };
    const condition = (findRuleType(rawCondition.type)?.complete(rawCondition, context.path) ?? { type: 'any' }) as ConditionDef;
    // Not `{ ...base, ... }`: a literal that starts with a spread is cloned by V8 the slow way in a fresh process (about
    // 10 µs an alert, a tenth of a cold start's completion); Object.assign copies it plainly, in the same key order.
    // The part assigned is typed (not the result cast): a field missing or misspelled here does not compile.
    const own: SearchAlertPart = {
      source: 'elasticsearch',
      index: String(raw.index ?? ''),
      query: (extra?.query as Record<string, unknown> | undefined) ?? {},
      query_file: typeof raw.query === 'string' ? join(context.queriesDir, raw.query) : undefined,
      ...(sigma ? { sigma_rule: { file: sigma.inputs[0]!, fields: sigma.fields, inputs: sigma.inputs, ...(sigma.siblingProblems ? { siblingProblems: sigma.siblingProblems } : {}) } } : {}),
      condition,
      group_by: typeof raw.group_by === 'string' ? [raw.group_by] : (raw.group_by as string[] | undefined),
      group_size: (raw.group_size as number | undefined) ?? 100,
      top_counts: Array.isArray(raw.top_count_keys) ? { keys: raw.top_count_keys as string[], number: (raw.top_count_number as number | undefined) ?? DEFAULT_TOP_COUNT_NUMBER } : undefined,
      timestamp_field: (raw.timestamp_field as string | undefined) ?? context.defaults.timestamp_field,
    };
    return Object.assign({}, base, own);
  },
  inputFiles(alert) {
    return [...(alert.query_file ? [alert.query_file] : []), ...(alert.sigma_rule?.inputs ?? []), ...(findRuleType(alert.condition.type)?.inputFiles?.(alert.condition) ?? [])];
  },
  // What a notice offers in chat: stop repeats of this key, or quiet it for an hour.
  chatActions: [
    { name: 'ack', label: 'Ack', op: 'ack' },
    { name: 'silence', label: 'Silence 1h', op: 'silence', forMs: 3_600_000 },
  ],
  async load(section) {
    const { ElasticsearchSource } = await import('./source.js');
    return new ElasticsearchSource(section);
  },
};

/** How many top values of each top_count_keys field a notice lists by default (as ElastAlert2). */
const DEFAULT_TOP_COUNT_NUMBER = 5;

/** top_count_keys on a rule type whose findings are not its key's events, or top_count_number without top_count_keys. */
function topCountProblems(raw: Record<string, unknown>, rule: RuleType | undefined): SourceProblem[] {
  if (raw.top_count_keys === undefined) {
    return raw.top_count_number === undefined ? [] : [{ path: ['top_count_number'], message: 'applies only with top_count_keys: add the fields whose top values to list, or remove it' }];
  }
  if (!rule || rule.topCounts) return [];
  const types = RULE_TYPE_NAMES.filter((name) => findRuleType(name)?.topCounts).join(', ');
  return [{ path: ['top_count_keys'], message: `condition type ${rule.type} does not support top_count_keys (its findings are not the events of a key): use one of ${types}, or remove top_count_keys` }];
}

/** The longest window a run of this alert searches: its max_catchup or first_lookback (or the defaults'), whichever is longer. */
function longestWindow(raw: Record<string, unknown>, context: AlertContext): number {
  const own = (key: 'max_catchup' | 'first_lookback'): number => {
    try {
      return typeof raw[key] === 'string' ? parseDuration(raw[key] as string) : context.defaults[key];
    } catch {
      return context.defaults[key]; // a bad duration is reported by the schema
    }
  };
  return Math.max(own('max_catchup'), own('first_lookback'));
}

/** The alert's query body: the named file in queries/ (checked as JSON), or the inline object. */
function readQuery(query: unknown, context: AlertContext, problems: SourceProblem[]): Record<string, unknown> {
  if (query && typeof query === 'object') return query as Record<string, unknown>;
  if (typeof query !== 'string') return {};
  const path = join(context.queriesDir, query);
  const display = context.display(path);
  const read = readInputFile(path);
  if ('problem' in read) {
    const where = read.problem.line ? `:${read.problem.line}:${read.problem.col}` : '';
    const message = read.problem.message === 'does not exist' ? `query file ${display} does not exist (put it in the queries folder)` : `query file ${display}${where} ${read.problem.message}`;
    problems.push({ path: ['query'], message });
    return {};
  }
  context.readFile?.(path, read.stat);
  const text = read.text;
  // A problem inside the query file is reported at its own line and column, naming the alert it makes invalid.
  const inQueryFile = (offset: number, message: string) => problems.push({ path: ['query'], message, in: { file: display, ...lineCol(text, offset) } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/, (?:\.\.\.)?".*$/s, '');
    inQueryFile(jsonErrorOffset(text) ?? 0, `not valid JSON: ${reason}`);
    return {};
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  inQueryFile(0, 'must hold a JSON object (a query body)');
  return {};
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}
