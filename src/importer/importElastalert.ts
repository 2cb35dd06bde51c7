import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYamlFile, type YamlFile } from '../config/yamlDocument.js';
import { readInputFile } from '../util/readInputFile.js';
import type { ImportNote } from './alerters/index.js';
import { ChannelBook, type SecretVariable } from './channels.js';
import { convertRule, splitNoteMessage, type ConvertedRule } from './convertRule.js';
import { durationOf } from './elastalertTime.js';
import { readRules, shown, whereOf, type ReadProblem } from './readRules.js';
import { quoteData, quoteKey } from './quote.js';
import { loadPackage } from '../util/loadPackage.js';

/** What an import did: the files written and kept, the rules converted and skipped, the notes and the variables to set. */
export interface ImportResult {
  out: string;
  written: string[];
  /** Files that were already there: never written over. */
  kept: string[];
  converted: { source: string; alert: string; type: string }[];
  skipped: ImportNote[];
  /** Options not converted, or converted with a difference, at `file:line`. */
  notes: ImportNote[];
  /** Files that could not be read or parsed, and imports that could not be followed. */
  problems: ReadProblem[];
  /** Files only imported by others (fragments), not converted on their own. */
  fragments: string[];
  channels: string[];
  variables: SecretVariable[];
  /** The channels section, when alertcron.yaml was kept: to add by hand. */
  channelsYaml?: string;
}

/** config.yaml keys that configure ElastAlert2 itself, not rules: converted into alertcron.yaml or not needed. */
const CONFIG_ONLY = new Set([
  'es_host', 'es_port', 'use_ssl', 'es_url_prefix', 'es_username', 'es_password', 'es_api_key', 'es_bearer', 'ca_certs', 'verify_certs', 'client_cert', 'client_key',
  'rules_folder', 'scan_subdirectories', 'run_every', 'writeback_index', 'writeback_alias', 'alert_time_limit', 'old_query_limit', 'max_query_size', 'max_scrolling_count',
  'scroll_keepalive', 'max_aggregation', 'disable_rules_on_error', 'notify_email', 'es_send_get_body_as', 'es_conn_timeout', 'max_threads', 'show_disabled_rules',
  'string_multi_field_name', 'add_metadata_alert', 'logging', 'rules_loader', 'custom_pretty_ts_format', 'jinja_template_path', 'resend_logs',
  'statsd_host', 'statsd_instance_tag', 'prometheus_port', 'alert_health_check', 'es_hosts', 'skip_invalid', 'query_endpoint', 'http_proxy',
]);

/** The cluster section of alertcron.yaml from ElastAlert2's config.yaml, with its secrets as variables. */
function clusterOf(config: YamlFile | undefined, notes: ImportNote[], variables: SecretVariable[]): Record<string, unknown> {
  if (!config) return { url: 'http://localhost:9200' };
  const c = config.value as Record<string, unknown>;
  const at = (key: string) => whereOf({ yaml: config, path: [key] });
  const scheme = c.use_ssl === true ? 'https' : 'http';
  const prefix = typeof c.es_url_prefix === 'string' && c.es_url_prefix ? `/${c.es_url_prefix.replace(/^\/+|\/+$/g, '')}` : '';
  const cluster: Record<string, unknown> = { url: `${scheme}://${String(c.es_host ?? 'localhost')}:${String(c.es_port ?? 9200)}${prefix}` };
  if (c.es_username !== undefined) cluster.username = String(c.es_username);
  if (c.es_password !== undefined) {
    cluster.password = '${ELASTALERT_ES_PASSWORD}';
    variables.push({ variable: 'ELASTALERT_ES_PASSWORD', where: at('es_password'), option: 'es_password' });
  }
  if (c.es_api_key !== undefined) {
    cluster.api_key = '${ELASTALERT_ES_API_KEY}';
    variables.push({ variable: 'ELASTALERT_ES_API_KEY', where: at('es_api_key'), option: 'es_api_key' });
  }
  if (typeof c.ca_certs === 'string') cluster.ca_file = c.ca_certs;
  for (const key of ['verify_certs', 'client_cert', 'client_key', 'es_bearer', 'es_hosts', 'http_proxy']) {
    if (c[key] === undefined || (key === 'verify_certs' && c[key] === true)) continue;
    notes.push({ where: at(key), option: key, message: key === 'verify_certs' ? 'not converted: alertcron always verifies the cluster\'s certificate (give its CA in ca_file)' : 'not converted: alertcron talks to one cluster URL with a username and password or an API key' });
  }
  return cluster;
}

/** Reads config.yaml, or says why not. */
async function readConfig(path: string): Promise<YamlFile> {
  const read = readInputFile(path);
  if ('problem' in read) throw new Error(`${shown(path)}: ${read.problem.message}`);
  const yaml = await parseYamlFile(shown(path), read.text);
  if (yaml.problems.length) throw new Error(`${yaml.problems[0]!.file}:${yaml.problems[0]!.line ?? 1}: ${quoteData(yaml.problems[0]!.message, 160)}`);
  if (!yaml.value || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) throw new Error(`${yaml.file}: is not a mapping of settings`);
  return yaml;
}

/**
 * Converts an ElastAlert2 rules folder (and its config.yaml) into an alertcron folder at `out`: alertcron.yaml
 * with the cluster and the synthesised channels, alerts/<name>.yaml and queries/<name>.json per rule. It never
 * writes over a file that is there: such a file is kept and named in the result. Imports that lead out of the
 * rules folder are refused unless `allowOutsideImports`. `onFile` hears how many rule files were read, of how many.
 */
export async function importElastalert(rulesDir: string, options: { config?: string; out: string; allowOutsideImports?: boolean; onFile?: (done: number, total: number) => void }): Promise<ImportResult> {
  if (!existsSync(rulesDir) || !statSync(rulesDir).isDirectory()) throw new Error(`${rulesDir}: not a folder of ElastAlert2 rules`);
  const config = options.config ? await readConfig(options.config) : undefined;
  // Every other global key is a default of every rule (ElastAlert2's rule.setdefault): SMTP settings and the like.
  const ruleDefaults = config && { ...config, value: Object.fromEntries(Object.entries(config.value as Record<string, unknown>).filter(([key]) => !CONFIG_ONLY.has(key))) };
  const { rules, problems, fragments } = await readRules(resolve(rulesDir), ruleDefaults, { allowOutsideImports: options.allowOutsideImports === true, onFile: options.onFile });
  const notes: ImportNote[] = [];
  const variables: SecretVariable[] = [];
  const cluster = clusterOf(config, notes, variables);
  if (!config) notes.push({ where: shown(rulesDir), option: 'es_host', message: 'no --config: elasticsearch.url is http://localhost:9200, change it in alertcron.yaml' });
  const book = new ChannelBook();
  const skipped: ImportNote[] = [];
  const converted: ConvertedRule[] = [];
  const names = new Set<string>();
  for (const rule of rules) {
    const result = convertRule(rule, book, notes);
    if ('skipped' in result) {
      skipped.push(result.skipped);
      continue;
    }
    const finalNames: string[] = [];
    for (const { splitNote: _note, ...one } of result) {
      let name = one.name;
      for (let n = 2; names.has(name); n++) name = `${one.name}-${n}`;
      names.add(name);
      finalNames.push(name);
      converted.push({ ...one, name, alert: { ...one.alert, query: `${name}.json` } });
    }
    // A split rule's note names its alerts as written, after the names were made unique.
    const splitNote = result[0]?.splitNote;
    if (splitNote) splitNote.message = splitNoteMessage(finalNames);
  }
  variables.push(...book.variables);
  // An option of config.yaml is met in every rule that inherits it: named once. A key name is data: quoted bounded and inert.
  const uniqueNotes = [...new Map(notes.map((n) => [`${n.where}\u0000${n.option}\u0000${n.message}`, { ...n, option: quoteKey(n.option) }])).values()];
  for (const s of skipped) s.option = quoteKey(s.option);
  notes.splice(0, notes.length, ...uniqueNotes);

  const { stringify } = loadPackage<typeof import('yaml')>('yaml');
  const result: ImportResult = { out: shown(options.out), written: [], kept: [], converted: [], skipped, notes, problems, fragments, channels: [...book.channels.keys()], variables };
  const write = (relativePath: string, text: string): boolean => {
    const path = join(options.out, relativePath);
    if (existsSync(path)) {
      result.kept.push(shown(path));
      return false;
    }
    writeFileSync(path, text, { flag: 'wx' });
    result.written.push(shown(path));
    return true;
  };
  for (const dir of ['', 'alerts', 'queries']) mkdirSync(join(options.out, dir), { recursive: true });
  const every = durationOf((config?.value as Record<string, unknown> | undefined)?.run_every);
  const alertcronYaml = {
    elasticsearch: cluster,
    channels: Object.fromEntries(book.channels),
    ...(every ? { defaults: { every } } : {}),
  };
  const header = `# Converted from ElastAlert2 ${options.config ? shown(options.config) : 'rules'} by alertcron import elastalert.\n# Secrets are \${ENV} references: set the variables the import listed (in the crontab, or use *_file keys).\n`;
  if (!write('alertcron.yaml', header + stringify(alertcronYaml, { lineWidth: 0 }))) result.channelsYaml = stringify({ channels: alertcronYaml.channels }, { lineWidth: 0 });
  for (const rule of converted) {
    const alertFile = `alerts/${rule.name}.yaml`;
    const wroteQuery = write(`queries/${rule.name}.json`, `${JSON.stringify(rule.query, null, 2)}\n`);
    const wroteAlert = write(alertFile, `# Converted from ${rule.source} (ElastAlert2 type ${rule.type}) by alertcron import elastalert.\n${stringify(rule.alert, { lineWidth: 0 })}`);
    if (wroteAlert || wroteQuery) result.converted.push({ source: rule.source, alert: alertFile, type: rule.type });
  }
  return result;
}
