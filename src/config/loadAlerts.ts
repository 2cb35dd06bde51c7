import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseDuration } from '../util/duration.js';
import { closestWord } from '../util/closestWord.js';
import type { Problem } from './problems.js';
import { checkSchema, toPointer } from './schemaCheck.js';
import type { AlertDef, ConditionDef, Config, FeedbackDef } from './types.js';
import { cachedYamlFile, parseYamlFile, type YamlFile } from './yamlDocument.js';
import { statOrUndefined, type ParseCache } from './parseCache.js';

/** The alerts that loaded, and the problems of those that did not (a broken alert never stops the others). */
export interface LoadedAlerts {
  alerts: AlertDef[];
  problems: Problem[];
  disabled: string[];
  /** Names of alert files that have problems (skipped this run, but their state is kept). */
  invalid: string[];
}

const ALERT_NAME = /^[A-Za-z0-9_.-]+$/;

/** How long a script condition may take when its alert does not say (condition.timeout). */
const SCRIPT_TIMEOUT_MS = 5000;

/** The default message of a TheHive alert: its description, its link and the commands to act on it. */
const HIVE_MESSAGE = '{{description}}\n\nOpen: {{link}}\nPromote to a case: {{promote}}\nIgnore for 30 minutes: {{ignore}}';

/** Loads every alerts/*.yaml with its query, checking each against the schema and the configured channels. */
export async function loadAlerts(config: Config, cache?: ParseCache): Promise<LoadedAlerts> {
  const result: LoadedAlerts = { alerts: [], problems: [], disabled: [], invalid: [] };
  let names: string[];
  try {
    names = readdirSync(config.alerts_dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    result.problems.push({ file: displayPath(config, config.alerts_dir), message: 'cannot read the alerts folder (create it, or set alerts_dir in alertcron.yaml)' });
    return result;
  }
  const seen = new Map<string, string>();
  for (const fileName of names) {
    const path = join(config.alerts_dir, fileName);
    const file = displayPath(config, path);
    const name = basename(fileName, extname(fileName));
    if (!ALERT_NAME.test(name)) {
      result.problems.push({ file, message: 'the file name is the alert name: use only letters, digits, ".", "_" and "-"' });
      continue;
    }
    if (seen.has(name)) {
      result.problems.push({ file, message: `another file already defines alert "${name}" (${seen.get(name)}): rename one` });
      continue;
    }
    seen.set(name, file);
    const loaded = await loadAlertFile(config, path, file, name, cache);
    if ('problems' in loaded) {
      result.problems.push(...loaded.problems);
      result.invalid.push(name);
    }
    else if (loaded.alert) result.alerts.push(loaded.alert);
    else result.disabled.push(name);
  }
  return result;
}

type LoadedFile = { alert?: AlertDef } | { problems: Problem[] };

async function loadAlertFile(config: Config, path: string, file: string, name: string, cache: ParseCache | undefined): Promise<LoadedFile> {
  const stat = statOrUndefined(path);
  const cached = stat && cache?.get(path, stat);
  if (cached !== undefined && cached !== null) {
    const checked = checkAlert(config, cachedYamlFile(file, cached), path, name);
    if (!('problems' in checked)) return checked;
  }
  const yaml = await parseYamlFile(file, readFileSync(path, 'utf8'));
  if (yaml.problems.length) return { problems: yaml.problems };
  if (yaml.value === null || yaml.value === undefined) {
    return { problems: [{ file, message: 'the file is empty: an alert needs at least index, condition and notify' }] };
  }
  const checked = checkAlert(config, yaml, path, name);
  if (stat && !('problems' in checked)) cache?.set(path, stat, yaml.value);
  return checked;
}

function checkAlert(config: Config, yaml: YamlFile, path: string, name: string): LoadedFile {
  const file = yaml.file;
  const schemaProblems = checkSchema('alert', yaml);
  const raw = yaml.value as RawAlert;
  const problems = checkReferences(config, yaml, raw, path);
  if (schemaProblems.length || problems.problems.length) return { problems: [...schemaProblems, ...problems.problems] };
  if (raw.enabled === false) return {};
  return { alert: completeAlert(config, raw, name, file, problems.query, problems.queryFile, path) };
}

interface RawAlert {
  source?: 'elasticsearch' | 'thehive';
  thehive?: { object?: 'alert' | 'case'; without_tags?: string[]; severity?: number[]; stage?: string[]; status?: string[]; tags?: string[]; max_age?: string };
  feedback?: FeedbackDef;
  escalation?: { after: string; notify: string[]; severity?: number[] }[];
  high_risk_words?: string[];
  write_back_tag?: string;
  description?: string;
  enabled?: boolean;
  index?: string;
  query?: string | Record<string, unknown>;
  timestamp_field?: string;
  every?: string;
  ingest_delay?: string;
  max_catchup?: string;
  first_lookback?: string;
  lookback?: string;
  condition?: Record<string, unknown> & { type: string };
  group_by?: string;
  group_size?: number;
  throttle?: string;
  samples?: number;
  notify: string[];
  resolve_after?: number;
  title?: string;
  message?: string;
}

function checkReferences(config: Config, yaml: YamlFile, raw: RawAlert, path: string) {
  const problems: Problem[] = [];
  const at = (where: (string | number)[], message: string) => {
    const { line, col } = yaml.locate(where);
    problems.push({ file: yaml.file, line, col, path: toPointer(where), message });
  };
  if (raw.source === 'thehive') {
    if (!config.thehive) at(['source'], 'alertcron.yaml has no thehive: section to read alerts from');
  } else if (!config.elasticsearch) at(['index'], 'alertcron.yaml has no elasticsearch: section to search this index in');
  const channels = Object.keys(config.channels);
  const checkChannels = (list: unknown, where: (string | number)[]) =>
    (Array.isArray(list) ? list : []).forEach((channel, i) => {
      if (typeof channel === 'string' && !config.channels[channel]) {
        const guess = closestWord(channel, channels);
        const hint = guess ? `did you mean "${guess}"?` : channels.length ? `configured: ${channels.join(', ')}` : 'alertcron.yaml defines no channels';
        at([...where, i], `unknown channel "${channel}" (${hint})`);
      }
    });
  checkChannels(raw.notify, ['notify']);
  (Array.isArray(raw.escalation) ? raw.escalation : []).forEach((tier, i) => checkChannels(tier?.notify, ['escalation', i, 'notify']));
  if (raw.escalation && raw.source !== 'thehive') at(['escalation'], 'escalation applies to source: thehive alerts');
  if (raw.write_back_tag && raw.source !== 'thehive') at(['write_back_tag'], 'write_back_tag applies to source: thehive alerts');
  if (raw.feedback) {
    if (raw.source !== 'thehive' || raw.thehive?.object !== 'case') at(['feedback'], 'feedback applies to source: thehive with thehive: { object: case }');
    (Array.isArray(raw.notify) ? raw.notify : []).forEach((name, i) => {
      const channel = config.channels[name];
      if (channel && channel.type !== 'email') at(['notify', i], `feedback is sent by email: "${name}" is a ${channel.type} channel`);
    });
  }
  let query: Record<string, unknown> = {};
  let queryFile: string | undefined;
  if (typeof raw.query === 'string') {
    queryFile = join(config.queries_dir, raw.query);
    const loaded = readQueryFile(queryFile, displayPath(config, queryFile));
    if ('problem' in loaded) at(['query'], loaded.problem);
    else query = loaded.query;
  } else if (raw.query && typeof raw.query === 'object') {
    query = raw.query;
  }
  const condition = (raw.condition ?? {}) as { type?: unknown; module?: unknown };
  if (condition.type === 'script' && typeof condition.module === 'string') {
    const module = resolve(dirname(path), condition.module);
    if (!existsSync(module)) at(['condition', 'module'], `no such file: ${displayPath(config, module)}`);
    const timeout = (condition as { timeout?: unknown }).timeout;
    if (typeof timeout === 'string' && /^(0+(ms|s|m|h|d|w))+$/.test(timeout)) at(['condition', 'timeout'], 'a script needs some time: give a duration above 0s, e.g. 5s');
  }
  if (condition.type === 'buckets' && raw.group_by) at(['group_by'], 'group_by does not apply to a buckets condition: group in the query aggregation instead');
  if (condition.type === 'buckets' && !query.aggs && !query.aggregations) {
    at(['condition', 'path'], 'a buckets condition needs an aggregation ("aggs") in the query');
  }
  return { problems, query, queryFile };
}

function readQueryFile(path: string, display: string): { query: Record<string, unknown> } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { problem: `query file ${display} does not exist (put it in the queries folder)` };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: `${display} must hold a JSON object (a query body)` };
    return { query: parsed as Record<string, unknown> };
  } catch (error) {
    const position = /position (\d+)/.exec(String((error as Error).message));
    const where = position ? lineCol(text, Number(position[1])) : '';
    return { problem: `${display}${where} is not valid JSON: ${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}` };
  }
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `:${before.length}:${before[before.length - 1]!.length + 1}`;
}

function completeAlert(config: Config, raw: RawAlert, name: string, file: string, query: Record<string, unknown>, queryFile: string | undefined, path: string): AlertDef {
  const d = config.defaults;
  const optional = (value: string | undefined, fallback: number) => (value ? parseDuration(value) : fallback);
  const thehive = raw.source === 'thehive';
  return {
    name,
    file,
    description: raw.description ?? '',
    source: thehive ? 'thehive' : 'elasticsearch',
    feedback: raw.feedback,
    thehive: thehive ? { ...raw.thehive, stage: raw.thehive?.stage ?? (raw.thehive?.status || raw.thehive?.object === 'case' ? undefined : ['New']), max_age: raw.thehive?.max_age ? parseDuration(raw.thehive.max_age) : undefined } : undefined,
    escalation: raw.escalation?.map((tier) => ({ after: parseDuration(tier.after), notify: tier.notify, severity: tier.severity })).sort((a, b) => a.after - b.after),
    high_risk_words: raw.high_risk_words ?? [],
    write_back_tag: raw.write_back_tag,
    index: raw.index ?? '',
    query,
    query_file: queryFile,
    condition: thehive || !raw.condition ? { type: 'any' } : completeCondition(raw.condition, path),
    group_by: raw.group_by,
    group_size: raw.group_size ?? 100,
    timestamp_field: raw.timestamp_field ?? d.timestamp_field,
    every: optional(raw.every, d.every),
    throttle: raw.throttle === 'once' ? 'once' : raw.throttle ? parseDuration(raw.throttle) : thehive ? 'once' : d.throttle,
    ingest_delay: optional(raw.ingest_delay, d.ingest_delay),
    max_catchup: optional(raw.max_catchup, d.max_catchup),
    lookback: raw.lookback ? parseDuration(raw.lookback) : undefined,
    first_lookback: optional(raw.first_lookback, d.first_lookback),
    samples: raw.samples ?? d.samples,
    notify: raw.notify,
    resolve_after: raw.resolve_after,
    title: raw.title ?? (thehive ? 'TheHive alert: {{title}} (severity {{severity}}, {{age}} old)' : `${name}: {{key}}`),
    message: raw.message ?? (thehive ? HIVE_MESSAGE : undefined),
  };
}

function completeCondition(raw: Record<string, unknown> & { type: string }, path: string): ConditionDef {
  const bounds = { gt: raw.gt as number | undefined, gte: raw.gte as number | undefined, lt: raw.lt as number | undefined, lte: raw.lte as number | undefined };
  switch (raw.type) {
    case 'count':
      return { type: 'count', ...bounds };
    case 'buckets':
      return { type: 'buckets', path: String(raw.path), value: (raw.value as string | undefined) ?? 'doc_count', ...bounds };
    case 'script':
      return {
        type: 'script',
        module: String(raw.module),
        modulePath: resolve(dirname(path), String(raw.module)),
        options: (raw.options as Record<string, unknown>) ?? {},
        timeout: raw.timeout ? parseDuration(String(raw.timeout)) : SCRIPT_TIMEOUT_MS,
      };
    default:
      return { type: 'any' };
  }
}

/** Shows a path relative to the configuration folder, as users write it. */
export function displayPath(config: Config, path: string): string {
  const rel = relative(config.dir, path);
  return rel.startsWith('..') ? path : rel;
}
