import { channelKind } from '../notify/channels/registry.js';
import type { Stats } from 'node:fs';
import { relative, sep } from 'node:path';
import { alertFiles, alertNameOf, childPath, type AlertFile } from './alertFiles.js';
import { parseDuration } from '../util/duration.js';
import { closestWord } from '../util/closestWord.js';
import type { Problem } from './problems.js';
import { checkSchema, loadSchema, toPointer } from './schemaCheck.js';
import type { AlertBase } from '../model/alert.js';
import { DEFAULT_SOURCE, SOURCES, sourceDefinition } from '../sources/registry.js';
import type { AlertContext } from '../sources/types.js';
import type { AlertDef, Config } from './types.js';
import { cachedYamlFile, parseYamlFile, type YamlFile } from './yamlDocument.js';
import { statOrUndefined, type ParseCache } from './parseCache.js';
import { readInputFile } from '../util/readInputFile.js';
import { errorMessage } from '../util/errors.js';
import { checkAsk, completeAsk, loadPeople, type RawAsk } from './askPolicy.js';
import { checkDigest, completeDigest, type RawDigest } from './digestPolicy.js';
import { checkHiveLoop } from './hiveLoop.js';
import { loadSigmaCompiler } from '../sigma/lazyCompiler.js';

/** The alerts that loaded, and the problems of those that did not (a broken alert never stops the others). */
export interface LoadedAlerts {
  alerts: AlertDef[];
  problems: Problem[];
  disabled: string[];
  /** Names of alert files that have problems (skipped this run, but their state is kept). */
  invalid: string[];
  /** What is not wrong but may not be meant: a skipped folder that holds YAML files. */
  warnings: Problem[];
}

const ALERT_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Loads every alert file (.yaml, .yml) of the alerts folder and its subfolders with its query, checking each
 * against the schema and the configured channels. The file's name is the alert's name, in any folder: two files
 * with one name are a problem naming both.
 */
export async function loadAlerts(config: Config, cache?: ParseCache): Promise<LoadedAlerts> {
  const result: LoadedAlerts = { alerts: [], problems: [], disabled: [], invalid: [], warnings: [] };
  // Every alert file is shown relative to the configuration folder: the folder's part is worked out once.
  const folder = displayPath(config, config.alerts_dir);
  let files: AlertFile[];
  try {
    const found = alertFiles(config.alerts_dir, (path) => displayPath(config, path));
    files = found.files;
    result.problems.push(...found.problems);
    result.warnings.push(...found.warnings);
  } catch {
    result.problems.push({ file: folder, message: 'cannot read the alerts folder (create it, or set alerts_dir in alertcron.yaml)' });
    return result;
  }
  const seen = new Map<string, string>();
  for (const { path, relative: fileName } of files) {
    // The relative name of a file found below the folder: joined without normalising (no `.`, `..` or `//` in it).
    const file = folder === '' ? fileName : childPath(folder, fileName);
    const name = alertNameOf(fileName);
    if (!ALERT_NAME.test(name)) {
      result.problems.push({ file, message: 'the file name is the alert name: use only letters, digits, ".", "_" and "-"' });
      continue;
    }
    if (seen.has(name)) {
      result.problems.push({ file, message: `another file already defines alert "${name}" (${seen.get(name)}): the file name is the alert's name in every folder, rename one` });
      continue;
    }
    seen.set(name, file);
    // Checked and completed before, and nothing it depends on changed: as it was (no promise per alert of a warm run).
    const stat = cache?.knows(path) ? statOrUndefined(path) : undefined;
    const done = stat && cache!.getAlert(path, stat);
    if (done) {
      if (done.alert) result.alerts.push(done.alert as AlertDef);
      else result.disabled.push(name);
      continue;
    }
    const loaded = await loadAlertFile(config, path, file, name, cache, stat).catch((error: unknown): LoadedFile => ({ problems: [{ file, message: `cannot be loaded: ${errorMessage(error)}` }] }));
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

/** Reads, checks and completes one alert file the cache cannot serve whole; `stat`: its stat when the cache knows it (else its reading stats it). */
async function loadAlertFile(config: Config, path: string, file: string, name: string, cache: ParseCache | undefined, stat: Stats | undefined): Promise<LoadedFile> {
  await loadSchema('alert');
  const cached = stat && cache?.get(path, stat);
  if (cached !== undefined && cached !== null) {
    if (hasSigma(cached)) await loadSigmaCompiler();
    const reads = new Map<string, Stats>();
    const checked = checkAlert(config, cachedYamlFile(file, cached), path, name, reads);
    if (!('problems' in checked) && !namesPeople(cached)) return stat ? remember(cache, path, stat, checked, reads) : checked;
    // A people file's problems are placed in the alert file, which the cached value cannot do: re-parse then.
    const withFile = 'problems' in checked ? checked : await withPeople(config, checked, cachedYamlFile(file, cached));
    if (!('problems' in withFile)) return withFile;
  }
  const read = readInputFile(path);
  if ('problem' in read) return { problems: [{ file, ...read.problem }] };
  stat ??= read.stat;
  const yaml = await parseYamlFile(file, read.text);
  if (yaml.problems.length) return { problems: yaml.problems };
  if (yaml.value === null || yaml.value === undefined) {
    return { problems: [{ file, message: 'the file is empty: an alert needs at least index, condition and notify' }] };
  }
  if (hasSigma(yaml.value)) await loadSigmaCompiler();
  const reads = new Map<string, Stats>();
  const checked = checkAlert(config, yaml, path, name, reads);
  if (stat && !('problems' in checked)) {
    // An alert with a people file is not kept as completed (the people file is read anew each run): its parsed value is.
    if (namesPeople(yaml.value)) cache?.set(path, stat, yaml.value);
    else remember(cache, path, stat, checked, reads);
  }
  return 'problems' in checked ? checked : withPeople(config, checked, yaml);
}

/** Whether the raw alert has a `sigma:` key (its query is compiled from a Sigma rule). */
function hasSigma(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && Object.hasOwn(raw, 'sigma');
}

/** Whether the raw alert names a people file (its ask policy maps user names through it). */
function namesPeople(raw: unknown): boolean {
  return typeof (raw as { ask?: { people?: unknown } } | null)?.ask?.people === 'string';
}

/** Caches a valid alert as checked and completed, with the files its source read for it (`reads`: their stats as read). */
function remember(cache: ParseCache | undefined, path: string, stat: Stats, checked: { alert?: AlertDef }, reads?: ReadonlyMap<string, Stats>): { alert?: AlertDef } {
  const inputs = checked.alert ? (sourceDefinition(checked.alert.source)?.inputFiles?.(checked.alert as never) ?? []) : [];
  cache?.setAlert(path, stat, inputs, checked.alert ?? null, reads);
  return checked;
}

/** Reads the people file an ask policy names into the alert (its problems make the alert invalid). */
async function withPeople(config: Config, checked: LoadedFile, yaml: YamlFile): Promise<LoadedFile> {
  const file = (yaml.value as { ask?: { people?: string } } | null)?.ask?.people;
  if ('problems' in checked || !checked.alert?.ask || !file) return checked;
  const people = await loadPeople(config, file, (message) => ({ file: yaml.file, ...yaml.locate(['ask', 'people']), path: '/ask/people', message }));
  if ('problems' in people) return { problems: people.problems };
  return { alert: { ...checked.alert, ask: { ...checked.alert.ask, people: people.people } } };
}

function checkAlert(config: Config, yaml: YamlFile, path: string, name: string, reads?: Map<string, Stats>): LoadedFile {
  const file = yaml.file;
  const schemaProblems = checkSchema('alert', yaml);
  const raw = yaml.value as RawAlert;
  const source = sourceDefinition(raw.source ?? DEFAULT_SOURCE)!;
  const context: AlertContext = { section: config.sources[source.name], ...(config.contentUnknown ? { sectionUnknown: true } : {}), path, queriesDir: config.queries_dir, defaults: config.defaults, display: (p) => displayPath(config, p), ...(reads ? { readFile: (p: string, s: Stats) => void reads.set(p, s) } : {}) };
  const at = (where: (string | number)[], message: string): Problem => {
    const { line, col } = yaml.locate(where);
    return { file, line, col, path: toPointer(where), message };
  };
  const checked = source.checkAlert(raw as Record<string, unknown>, context);
  const problems = [...(raw.ask && typeof raw.ask === 'object' ? checkAsk(config, raw.ask, raw.notify, at) : []), ...checkChannels(config, raw, at), ...checkHiveLoop(config, raw, at), ...checkDigest(raw, at), ...checkSourceKeys(source.name, raw, at), ...checked.problems.map((p) => (p.in ? { ...p.in, message: `${p.message} (the query of ${file})`, alert: file } : at(p.path, p.message)))];
  if (schemaProblems.length || problems.length) return { problems: [...schemaProblems, ...problems] };
  if (raw.enabled === false) return {};
  return { alert: source.completeAlert(raw as Record<string, unknown>, completeBase(config, raw, name, file, source.name), context, checked.extra) as AlertDef };
}

/** What the YAML of an alert holds before completion; each source reads its own keys. */
interface RawAlert {
  source?: string;
  escalation?: { after: string; notify: string[]; severity?: number[] }[];
  high_risk_words?: string[];
  description?: string;
  enabled?: boolean;
  every?: string;
  ingest_delay?: string;
  max_catchup?: string;
  first_lookback?: string;
  lookback?: string;
  throttle?: string;
  exponential_throttle?: string;
  samples?: number;
  notify: string[];
  resolve_after?: number | string;
  title?: string;
  message?: string;
  feedback?: unknown;
  ask?: RawAsk;
  digest?: RawDigest;
  [key: string]: unknown;
}

/** Every channel an alert names (notify, escalation tiers) must be configured; feedback mails need email channels. */
function checkChannels(config: Config, raw: RawAlert, at: (where: (string | number)[], message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  // Against an alertcron.yaml that did not parse, what it defines is unknown: only the alert itself is checked.
  const known = !config.contentUnknown;
  const channels = Object.keys(config.channels);
  const check = (list: unknown, where: (string | number)[]) =>
    (Array.isArray(list) && known ? list : []).forEach((channel, i) => {
      if (typeof channel === 'string' && !config.channels[channel]) {
        const guess = closestWord(channel, channels);
        const hint = guess ? `did you mean "${guess}"?` : channels.length ? `configured: ${channels.join(', ')}` : 'alertcron.yaml defines no channels';
        problems.push(at([...where, i], `unknown channel "${channel}" (${hint})`));
      }
    });
  check(raw.notify, ['notify']);
  (Array.isArray(raw.escalation) ? raw.escalation : []).forEach((tier, i) => check(tier?.notify, ['escalation', i, 'notify']));
  if (raw.feedback) {
    (Array.isArray(raw.notify) ? raw.notify : []).forEach((name, i) => {
      const channel = config.channels[name];
      // A channel of a type no kind has is reported in alertcron.yaml, not judged here.
      const kind = channel && channelKind(channel.type);
      if (channel && kind && !kind.mailsFeedback) problems.push(at(['notify', i], `feedback is sent by email: "${name}" is a ${channel.type} channel`));
    });
  }
  return problems;
}

/** Keys that belong to another source than the alert's own are errors that name the right source. */
function checkSourceKeys(own: string, raw: RawAlert, at: (where: (string | number)[], message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  for (const [name, source] of Object.entries(SOURCES)) {
    if (name === own) continue;
    for (const key of source.alertKeys) {
      if (key in raw && !sourceDefinition(own)!.alertKeys.includes(key)) problems.push(at([key], `${key} applies to source: ${name} alerts (this alert's source is ${own})`));
    }
  }
  return problems;
}

/** The part of an alert every source shares, with the defaults of alertcron.yaml filled in. */
function completeBase(config: Config, raw: RawAlert, name: string, file: string, source: string): AlertBase {
  const d = config.defaults;
  const optional = (value: string | undefined, fallback: number) => (value ? parseDuration(value) : fallback);
  return {
    name,
    file,
    source,
    description: raw.description ?? '',
    escalation: raw.escalation?.map((tier) => ({ after: parseDuration(tier.after), notify: tier.notify, severity: tier.severity })).sort((a, b) => a.after - b.after),
    high_risk_words: raw.high_risk_words ?? [],
    every: optional(raw.every, d.every),
    throttle: raw.throttle === 'once' ? 'once' : raw.throttle ? parseDuration(raw.throttle) : d.throttle,
    ...(raw.exponential_throttle ? { throttle_cap: parseDuration(raw.exponential_throttle) } : {}),
    ingest_delay: optional(raw.ingest_delay, d.ingest_delay),
    max_catchup: optional(raw.max_catchup, d.max_catchup),
    lookback: raw.lookback ? parseDuration(raw.lookback) : undefined,
    first_lookback: optional(raw.first_lookback, d.first_lookback),
    samples: raw.samples ?? d.samples,
    notify: raw.notify,
    resolve_after: typeof raw.resolve_after === 'string' ? { ms: parseDuration(raw.resolve_after) } : raw.resolve_after,
    title: raw.title ?? `${name}: {{key}}`,
    message: raw.message,
    ...(raw.ask ? { ask: completeAsk(raw.ask, raw.notify) } : {}),
    ...(raw.digest ? { digest: completeDigest(raw.digest, raw.notify, raw.group_by, (raw.timestamp_field as string | undefined) ?? d.timestamp_field) } : {}),
  };
}

/** Shows a path relative to the configuration folder, as users write it. */
export function displayPath(config: Config, path: string): string {
  // A path made by join() inside the folder is shown without asking relative() (a cold start shows thousands).
  if (path.startsWith(config.dir + sep) && !path.includes(`${sep}..${sep}`) && !path.includes(`${sep}.${sep}`) && !path.includes(sep + sep)) return path.slice(config.dir.length + 1);
  const rel = relative(config.dir, path);
  return rel.startsWith('..') ? path : rel;
}
