import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../util/duration.js';
import { parseSize } from '../util/size.js';
import { ProblemsError, type Problem } from './problems.js';
import { checkSchema, loadSchema } from './schemaCheck.js';
import { resolveSecrets, SECRET_KEYS, type UnsetSecret } from './secrets.js';
import type { ChannelConfig } from '../notify/config.js';
import { channelKind } from '../notify/channels/registry.js';
import type { DuoConfig, SigmaDefaults } from '../model/config.js';
import { SOURCES } from '../sources/registry.js';
import type { Config } from './types.js';
import { cachedYamlFile, parseYamlFile, type YamlFile } from './yamlDocument.js';
import { statOrUndefined, type ParseCache } from './parseCache.js';
import { cachedConfigValue, configDigest, configVerdict, readCachedConfig, verdictHolds, type ConfigVerdict } from './configVerdict.js';
import { readInputFile } from '../util/readInputFile.js';
import { checkStatePaths } from './checkStatePaths.js';
import { checkStateBackend, PARTITION_LEASE_PER_SKEW } from './checkStateBackend.js';
import { registerSentCredentials } from './sentCredentials.js';
import { ownValue, plainMap } from '../util/plainMap.js';

/** What reading alertcron.yaml gave: the configuration, or its problems with a stand-in for checking the alerts anyway. */
export interface ConfigReading {
  config?: Config;
  problems: Problem[];
  /** When alertcron.yaml has problems: a configuration completed from its usable parts (none if the file is missing). */
  fallback?: Config;
}

/** Reads, checks and completes alertcron.yaml; throws a ProblemsError listing everything wrong with it. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, cache?: ParseCache): Promise<Config> {
  const reading = await readConfig(file, env, cache);
  if (!reading.config) throw new ProblemsError(reading.problems);
  return reading.config;
}

/**
 * Reads, checks and completes alertcron.yaml, returning every problem instead of throwing. Unset secret
 * variables are not problems here: they are listed in `config.unset`, and a channel lacking one is marked.
 */
export async function readConfig(file: string, env: NodeJS.ProcessEnv = process.env, cache?: ParseCache): Promise<ConfigReading> {
  const path = resolve(file);
  const stat = statOrUndefined(path);
  if (!stat) {
    const read = readInputFile(path);
    const known = 'problem' in read && read.problem.message !== 'does not exist' ? `${read.problem.message}; ` : '';
    return { problems: [{ file, message: `${known}cannot read the configuration file (create it, or pass --config FILE)` }] };
  }
  const cached = readCachedConfig(cache?.get(path, stat));
  if (cached) {
    // A cached file cannot locate anything: one with problems or unset secrets is parsed again for their lines.
    const checked = await checkConfig(cachedYamlFile(file, structuredClone(cached.raw)), env, path, cached.verdict);
    if (checked.config && !checked.config.unset.length) {
      if (checked.verdict !== cached.verdict) cache?.set(path, stat, cachedConfigValue(cached.raw, checked.verdict!));
      cache?.useConfig(checked.digest!);
      return { config: checked.config, problems: [] };
    }
  }
  const read = readInputFile(path);
  const unknown = (): Config => ({ ...completeConfig({}, path, []), contentUnknown: true });
  if ('problem' in read) return { problems: [{ file, ...read.problem }], fallback: unknown() };
  const yaml = await parseYamlFile(file, read.text);
  if (yaml.problems.length) return { problems: yaml.problems, fallback: unknown() };
  if (yaml.value === null || yaml.value === undefined) yaml.value = {};
  const raw = structuredClone(yaml.value);
  const checked = await checkConfig(yaml, env, path);
  if (!checked.config) return { problems: checked.problems, fallback: fallbackConfig(yaml.value, checked.problems, path) };
  cache?.set(path, stat, cachedConfigValue(raw, checked.verdict!));
  cache?.useConfig(checked.digest!);
  return { config: checked.config, problems: [] };
}

/**
 * Resolves the secrets of a parsed alertcron.yaml and checks it. The schema is skipped (and its validator not even
 * loaded) when `verdict` proves it passed this very resolved document; the verdict returned is that one or a new one.
 */
async function checkConfig(yaml: YamlFile, env: NodeJS.ProcessEnv, path: string, verdict?: ConfigVerdict): Promise<{ problems: Problem[]; config?: Config; verdict?: ConfigVerdict; digest?: string }> {
  const { problems: secretProblems, unset: allUnset } = resolveSecrets(yaml, env, dirname(path));
  const explained = new Set([...secretProblems.map((p) => p.path), ...allUnset.flatMap((u) => u.paths)]);
  const unsetPaths = [...explained].filter((p): p is string => p !== undefined).sort();
  const proven = !secretProblems.length && verdictHolds(verdict, yaml.value, unsetPaths);
  // Taken before anything below reads (or completes) the document.
  const given = proven ? verdict : configVerdict(yaml.value, unsetPaths);
  const digest = configDigest(yaml.value);
  if (!proven) await loadSchema('alertcron');
  const schemaProblems = proven ? [] : checkSchema('alertcron', yaml);
  const problems: Problem[] = [...secretProblems, ...schemaProblems.filter((p) => !explained.has(p.path))];
  if (!problems.length) problems.push(...checkMonitoringChannels(yaml), ...checkSigmaChannels(yaml));
  if (problems.length) return { problems };
  let config: Config;
  try {
    config = completeConfig(yaml.value as RawConfig, path, allUnset);
  } catch (error) {
    // A setting alertcron completes itself (a duration, a size) cannot be left empty: its unset variable is the problem, at its place.
    const candidates = allUnset.filter(isSetting);
    const needed = candidates.filter((u) => !completes(yaml.value, path, candidates.filter((other) => other !== u)));
    if (!needed.length) throw error;
    return { problems: needed.map((u) => u.problem) };
  }
  registerSentCredentials(config);
  const pathProblems = [...checkStatePaths(yaml, config), ...checkStateBackend(yaml, config), ...checkChannelSettings(yaml, config)];
  return pathProblems.length ? { problems: pathProblems } : { problems, config, verdict: given, digest };
}

/** Sections whose values alertcron completes itself (durations, sizes, numbers, paths), not those of a source or channel. */
const SETTING_SECTIONS = new Set(['defaults', 'delivery', 'run', 'state', 'monitoring', 'alerts_dir', 'queries_dir']);

/** Whether an unset `${VAR}` sits in a setting alertcron itself completes (not a secret, which only its user needs). */
function isSetting(unset: UnsetSecret): boolean {
  const parts = (unset.problem.path ?? '').split('/').slice(1);
  return SETTING_SECTIONS.has(parts[0] ?? '') && !SECRET_KEYS.has(parts.at(-1) ?? '') && !(parts.at(-1) ?? '').endsWith('_file');
}

/** Whether the document completes once the values at the given unset variables' places are left out (their defaults then). */
function completes(value: unknown, path: string, without: UnsetSecret[]): boolean {
  const raw = structuredClone(value) as RawConfig;
  for (const u of without) if (u.problem.path) dropScalar(raw, u.problem.path);
  try {
    completeConfig(raw, path, []);
    return true;
  } catch {
    return false;
  }
}

/** The configuration made of what is usable in a file with problems: every value a problem points at is left out. */
function fallbackConfig(value: unknown, problems: Problem[], path: string): Config {
  const raw = (value && typeof value === 'object' && !Array.isArray(value) ? structuredClone(value) : {}) as RawConfig;
  for (const problem of problems) if (problem.path) dropScalar(raw, problem.path);
  try {
    return completeConfig(raw, path, []);
  } catch {
    return { ...completeConfig({}, path, []), contentUnknown: true };
  }
}

function dropScalar(root: unknown, pointer: string): void {
  const parts = pointer.slice(1).split('/');
  let node = root as Record<string, unknown> | undefined;
  for (const part of parts.slice(0, -1)) {
    const next = node?.[part];
    if (!next || typeof next !== 'object') return;
    node = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (node && (node[last] === null || typeof node[last] !== 'object')) delete node[last];
}

/** defaults.sigma with its pipeline files made absolute (Sigma alerts resolve theirs from their own folder). */
function completeSigmaDefaults(raw: SigmaDefaults, dir: string): SigmaDefaults {
  const path = (spec: string) => (/\.ya?ml$/i.test(spec) ? resolve(dir, spec) : spec);
  const pipeline = raw.pipeline === undefined ? undefined : Array.isArray(raw.pipeline) ? raw.pipeline.map(path) : path(raw.pipeline);
  return { ...raw, ...(pipeline === undefined ? {} : { pipeline }) };
}

/** Every channel defaults.sigma.notify routes a level to must be configured. */
function checkSigmaChannels(yaml: YamlFile): Problem[] {
  const raw = yaml.value as { channels?: Record<string, unknown>; defaults?: { sigma?: { notify?: Record<string, unknown> } } };
  return Object.entries(raw.defaults?.sigma?.notify ?? {}).flatMap(([level, names]) =>
    (Array.isArray(names) ? names : []).flatMap((name: unknown, i) => {
      if (typeof name !== 'string' || ownValue(raw.channels, name)) return [];
      const { line, col } = yaml.locate(['defaults', 'sigma', 'notify', level, i]);
      return [{ file: yaml.file, line, col, path: `/defaults/sigma/notify/${level}/${i}`, message: `unknown channel "${name}" (configured: ${Object.keys(raw.channels ?? {}).join(', ') || 'none'})` }];
    }),
  );
}

function checkMonitoringChannels(yaml: YamlFile): Problem[] {
  const raw = yaml.value as { channels?: Record<string, unknown>; monitoring?: { notify?: string[] } };
  return (raw.monitoring?.notify ?? []).flatMap((name, i) => {
    if (ownValue(raw.channels, name)) return [];
    const { line, col } = yaml.locate(['monitoring', 'notify', i]);
    return [{ file: yaml.file, line, col, path: `/monitoring/notify/${i}`, message: `unknown channel "${name}" (configured: ${Object.keys(raw.channels ?? {}).join(', ') || 'none'})` }];
  });
}

type RawConfig = Record<string, Record<string, unknown> | undefined> & { channels?: Record<string, Record<string, unknown>> };

function completeConfig(raw: RawConfig, path: string, unset: UnsetSecret[]): Config {
  const dir = dirname(path);
  const duration = (value: unknown, fallback: string) => parseDuration(typeof value === 'string' ? value : fallback);
  const defaults = raw.defaults ?? {};
  const delivery = raw.delivery ?? {};
  const run = raw.run ?? {};
  const state = raw.state ?? {};
  const monitoring = raw.monitoring ?? {};
  const sources = completeSources(raw, dir);
  const skew = duration(state.max_clock_skew, '10s');
  // Unset: 30s, or three times the skew when that is longer (a run writes only with more than the skew left of it).
  const partitionLease = state.partition_lease === undefined ? Math.max(duration(undefined, '30s'), PARTITION_LEASE_PER_SKEW * skew) : duration(state.partition_lease, '30s');
  return {
    file: path,
    dir,
    sources,
    channels: plainMap(Object.entries(raw.channels ?? {}).map(([name, channel]) => [name, withMissingSecret(withCommonSettings(completeChannel(channel, sources), channel), name, unset)])),
    unset,
    defaults: {
      every: duration(defaults.every, '1m'),
      throttle: defaults.throttle === 'once' ? 'once' : duration(defaults.throttle, '30m'),
      ingest_delay: duration(defaults.ingest_delay, '30s'),
      max_catchup: duration(defaults.max_catchup, '24h'),
      first_lookback: duration(defaults.first_lookback, '5m'),
      timestamp_field: (defaults.timestamp_field as string | undefined) ?? '@timestamp',
      samples: (defaults.samples as number | undefined) ?? 3,
      ...(defaults.sigma ? { sigma: completeSigmaDefaults(defaults.sigma as SigmaDefaults, dir) } : {}),
    },
    delivery: {
      concurrency: (delivery.concurrency as number | undefined) ?? 8,
      deadline: duration(delivery.deadline, '40s'),
      attempt_timeout: duration(delivery.attempt_timeout, '10s'),
      retries: (delivery.retries as number | undefined) ?? 1,
      max_pending_age: duration(delivery.max_pending_age, '24h'),
    },
    run: {
      deadline: duration(run.deadline, '50s'),
      max_findings: (run.max_findings as number | undefined) ?? 100,
    },
    state: {
      file: resolve(dir, (state.file as string | undefined) ?? 'state/state.json'),
      audit_log: resolve(dir, (state.audit_log as string | undefined) ?? 'state/audit.log'),
      audit_max_size: parseSize((state.audit_max_size as string | undefined) ?? '10MB'),
      audit_keep: (state.audit_keep as number | undefined) ?? 5,
      prune_after: duration(state.prune_after, '7d'),
      lock_wait: duration(state.lock_wait, '10s'),
      backend: state.backend === 'cluster' ? 'cluster' : 'file',
      index: (state.index as string | undefined) ?? 'alertcron-state',
      local_file: resolve(dir, (state.local_file as string | undefined) ?? 'state/local.json'),
      host_id: (state.host_id as string | undefined) ?? hostname(),
      lease_ttl: duration(state.lease_ttl, '3m'),
      max_clock_skew: skew,
      partition_lease: partitionLease,
      // Unset: 90s, or longer when the run, the lease and the skew need it (so that a configuration of today stays valid).
      host_ttl: state.host_ttl === undefined ? Math.max(duration(undefined, '90s'), duration(run.deadline, '50s') + partitionLease + skew) : duration(state.host_ttl, '90s'),
    },
    monitoring: {
      notify: (monitoring.notify as string[] | undefined) ?? [],
      after_failures: (monitoring.after_failures as number | undefined) ?? 3,
      heartbeat_url: monitoring.heartbeat_url as string | undefined,
      heartbeat_timeout: duration(monitoring.heartbeat_timeout, '5s'),
      ...(monitoring.status_page ? { status_page: resolve(dir, monitoring.status_page as string) } : {}),
      ...(monitoring.metrics_file ? { metrics_file: resolve(dir, monitoring.metrics_file as string) } : {}),
    },
    ...(raw.duo ? { duo: completeDuo(raw.duo, unset) } : {}),
    alerts_dir: resolve(dir, (raw.alerts_dir as unknown as string | undefined) ?? 'alerts'),
    queries_dir: resolve(dir, (raw.queries_dir as unknown as string | undefined) ?? 'queries'),
  };
}

/** The duo: section with its defaults; an unset key makes every 2FA fail with its message (the conversation escalates). */
function completeDuo(raw: Record<string, unknown>, unset: UnsetSecret[]): DuoConfig {
  const missing = unset.find((u) => u.paths.some((p) => p.startsWith('/duo/')));
  return {
    api_url: String(raw.api_url).replace(/\/+$/, ''),
    integration_key: String(raw.integration_key ?? ''),
    secret_key: String(raw.secret_key ?? ''),
    timeout: parseDuration((raw.timeout as string | undefined) ?? '5s'),
    push_timeout: parseDuration((raw.push_timeout as string | undefined) ?? '5m'),
    push_type: (raw.push_type as string | undefined) ?? 'alertcron',
    on_bypass: raw.on_bypass === 'confirm' ? 'confirm' : 'escalate',
    ...(missing ? { missingSecret: missing.problem.message } : {}),
  };
}

function withMissingSecret(channel: ChannelConfig, name: string, unset: UnsetSecret[]): ChannelConfig {
  const missing = unset.find((u) => u.channel === name);
  return missing ? { ...channel, missingSecret: missing.problem.message } : channel;
}

/** The settings every channel kind takes (its own cap on sends in flight, send_resolved) added to its completed config. */
function withCommonSettings(channel: ChannelConfig, raw: Record<string, unknown>): ChannelConfig {
  return {
    ...channel,
    ...(typeof raw.concurrency === 'number' ? { concurrency: raw.concurrency } : {}),
    ...(typeof raw.send_resolved === 'boolean' ? { send_resolved: raw.send_resolved } : {}),
  };
}

/**
 * A channel completed by its kind; one whose `type:` names no kind (reported by the schema, which also drops the
 * value, so the type is usually '') is kept as that bare type and judged as no kind by the alerts naming it.
 */
function completeChannel(raw: Record<string, unknown>, sources: Record<string, unknown>): ChannelConfig {
  return channelKind(raw.type)?.complete(raw, sources) ?? { type: typeof raw.type === 'string' ? raw.type : '' };
}

/** What each channel's kind finds wrong with its settings beyond the schema (a TheHive channel with no url anywhere), at the channel. */
function checkChannelSettings(yaml: YamlFile, config: Config): Problem[] {
  const raw = (yaml.value as RawConfig).channels ?? {};
  return Object.entries(raw).flatMap(([name, channel]) =>
    (channelKind(channel.type)?.problems?.(channel, config.sources) ?? []).map((message) => ({ file: yaml.file, ...yaml.locate(['channels', name]), path: `/channels/${name}`, message })),
  );
}

/** Each configured source's section, completed by that source. */
function completeSources(raw: RawConfig, dir: string): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(SOURCES)) {
    const section = raw[name];
    if (section) sections[name] = source.completeConfig(section as Record<string, unknown>, dir);
  }
  return sections;
}
