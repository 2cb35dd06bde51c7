import type { ChannelSecret } from './channels.js';
import { convertHiveText, convertLookup, observableField, type HiveText } from './hiveTemplates.js';
import { quoteData } from './quote.js';

/** Where the parts of a hivealerter's options were written, and how to name what does not carry over. */
export interface HiveContext {
  /** The options of the alerter over the rule's (hive_connection, hive_alert_config ...). */
  options: Record<string, unknown>;
  /** `file:line` of an option, or of a value inside it (`hive_alert_config`, `title`). */
  where: (key: string, ...path: (string | number)[]) => string;
  /** A note at a place, for an option (named as `hive_alert_config.title` and the like). */
  note: (where: string, option: string, message: string) => void;
}

/** hive_alert_config keys that say what TheHive does by itself: left out quietly at these values. */
const QUIET: Readonly<Record<string, unknown>> = { status: 'New', follow: true };

/** Text options of hive_alert_config, each with its `_args` list, and the channel key it becomes. */
const TEXTS = ['title', 'description', 'type', 'source'] as const;

/** The channel key of each text option: the channel's own `type` is `thehive`, TheHive's alert type is `alert_type`. */
const TEXT_KEY: Readonly<Record<string, string>> = { title: 'title', description: 'description', type: 'alert_type', source: 'source' };

/** Number options of hive_alert_config and the range TheHive takes for each. */
const LEVELS: Readonly<Record<string, { min: number; max: number }>> = { severity: { min: 1, max: 4 }, tlp: { min: 0, max: 4 }, pap: { min: 0, max: 3 } };

/** A plain mapping, or undefined. */
function mapping(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A `thehive` channel from ElastAlert2's hivealerter: `hive_connection` gives the url (`hive_host:hive_port`,
 * as ElastAlert2 joins them) and the api_key (a secret: a variable); `hive_alert_config` the title, description,
 * type, source, severity, tlp, pap, tags and custom fields, their `{match[...]}` / `{rule[...]}` placeholders (or
 * `<option>_args`) as templates; `hive_observable_data_mapping` the observables, each a field and a data type.
 * Every part that does not carry over is a note at its line. Undefined when there is no connection to convert.
 */
export function convertHiveAlerter(ctx: HiveContext): { config: Record<string, unknown> & { type: string }; secrets: ChannelSecret[] } | undefined {
  const { options, where, note } = ctx;
  const rule = options;
  const connection = mapping(options.hive_connection);
  if (!connection) {
    note(where('hive_connection'), 'hive_connection', 'the hivealerter needs hive_connection (hive_host, hive_port, hive_apikey): not converted');
    return undefined;
  }
  const at = (key: string) => where('hive_connection', key);
  const host = String(connection.hive_host ?? 'http://localhost').replace(/\/+$/, '');
  let url = `${/^https?:\/\//i.test(host) ? '' : 'http://'}${host}:${String(connection.hive_port ?? 9000)}`;
  // A user:password@ part is a credential: never written, never shown; the api_key authenticates.
  const userinfo = /^([a-z]+:\/\/)[^/?#]*@/i.exec(url);
  if (userinfo) {
    url = userinfo[1] + url.slice(userinfo[0].length);
    note(at('hive_host'), 'hive_host', 'its user:password@ part is left out (a credential): alertcron authenticates with the api_key');
  }
  try {
    if (/\s/.test(url)) throw new Error('a space');
    new URL(url);
  } catch {
    // The value is not echoed: it may hold a credential; file:line finds it.
    note(at('hive_host'), 'hive_connection', 'hive_host and hive_port do not make a URL (http://host:port): not converted');
    return undefined;
  }
  const config: Record<string, unknown> & { type: string } = { type: 'thehive', url };
  const secrets: ChannelSecret[] = [];
  if (connection.hive_apikey !== undefined && connection.hive_apikey !== '') secrets.push({ key: 'api_key', literal: String(connection.hive_apikey), where: at('hive_apikey'), option: 'hive_apikey' });
  else note(where('hive_connection'), 'hive_connection', 'no hive_apikey: set the channel\'s api_key (or api_key_file)');
  if (connection.hive_verify !== true && url.startsWith('https:')) note(at('hive_verify'), 'hive_verify', 'ElastAlert2 did not check TheHive\'s certificate (hive_verify defaults to false); alertcron does: a self-signed one needs NODE_EXTRA_CA_CERTS');
  for (const proxies of [connection.hive_proxies, options.hive_proxies]) {
    const set = Object.values(mapping(proxies) ?? {}).some((p) => p);
    if (set) note(proxies === options.hive_proxies ? where('hive_proxies') : at('hive_proxies'), 'hive_proxies', 'not converted: alertcron connects to TheHive directly');
  }
  for (const key of Object.keys(connection)) if (!['hive_host', 'hive_port', 'hive_apikey', 'hive_verify', 'hive_proxies'].includes(key)) note(at(key), `hive_connection.${key}`, 'not converted: the channel has a url and an api_key');

  const alertConfig = mapping(options.hive_alert_config) ?? {};
  const hc = (key: string, ...path: (string | number)[]) => where('hive_alert_config', key, ...path);
  const noteText = (key: string, text: HiveText) => {
    for (const problem of text.problems) note(hc(key), `hive_alert_config.${key}`, problem);
    return text.template;
  };
  for (const key of TEXTS) {
    const value = alertConfig[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      note(hc(key), `hive_alert_config.${key}`, 'not converted: must be a text');
      continue;
    }
    const template = noteText(key, convertHiveText(value, alertConfig[`${key}_args`], rule));
    // An empty text is TheHive's default (the channel's own).
    if (template !== '') config[TEXT_KEY[key]!] = template;
  }
  for (const key of TEXTS) {
    if (alertConfig[`${key}_args`] !== undefined && alertConfig[key] === undefined) note(hc(`${key}_args`), `hive_alert_config.${key}_args`, `not converted: without ${key} there is nothing to fill in`);
    if (alertConfig[`${key}_missing_value`] !== undefined) note(hc(`${key}_missing_value`), `hive_alert_config.${key}_missing_value`, 'not converted: a missing value renders as nothing');
  }
  for (const [key, range] of Object.entries(LEVELS)) {
    const value = alertConfig[key];
    if (value === undefined) continue;
    // The format-string form wrote numbers as text ('2'), and turned them into numbers.
    const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (Number.isInteger(n) && (n as number) >= range.min && (n as number) <= range.max) config[key] = n;
    else note(hc(key), `hive_alert_config.${key}`, `not converted: ${quoteData(value)} is not a whole number from ${range.min} to ${range.max}`);
  }
  if (alertConfig.tags !== undefined) {
    const tags = Array.isArray(alertConfig.tags) ? alertConfig.tags : [alertConfig.tags];
    const converted = tags.map((tag) => noteText('tags', convertLookup(String(tag), rule))).filter((tag) => tag !== '');
    if (converted.length) config.tags = converted;
  }
  const customFields = convertCustomFields(alertConfig.customFields, rule, (message) => note(hc('customFields'), 'hive_alert_config.customFields', message));
  if (customFields) config.custom_fields = customFields;
  const handled = new Set<string>([...TEXTS, ...TEXTS.flatMap((k) => [`${k}_args`, `${k}_missing_value`]), ...Object.keys(LEVELS), 'tags', 'customFields']);
  for (const [key, value] of Object.entries(alertConfig)) {
    if (handled.has(key) || (key in QUIET && QUIET[key] === value)) continue;
    const why = key === 'sourceRef' ? 'alertcron derives it from the alert, key and window, so a retried create is one TheHive alert' : key === 'date' ? 'the TheHive alert is dated when it is created' : 'the channel has no such setting';
    note(hc(key), `hive_alert_config.${key}`, `not converted: ${why}`);
  }

  const observables = convertObservables(options.hive_observable_data_mapping, (i, message) => note(where('hive_observable_data_mapping', i), 'hive_observable_data_mapping', message));
  if (observables.length) config.observables = observables;
  return { config, secrets };
}

/** customFields in either form ({name: {type, value}} or [{name, type, value}]) as the channel's name-to-template map. */
function convertCustomFields(raw: unknown, rule: Record<string, unknown>, note: (message: string) => void): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const entries: [unknown, unknown][] = Array.isArray(raw)
    ? raw.map((f) => [mapping(f)?.name, f])
    : Object.entries(mapping(raw) ?? {});
  const out: Record<string, string> = {};
  for (const [name, field] of entries) {
    const f = mapping(field);
    if (typeof name !== 'string' || !name || !f || f.value === undefined) {
      note(`not converted: an entry needs a name and a value (${quoteData(JSON.stringify(field ?? null))})`);
      continue;
    }
    const text = convertLookup(String(f.value), rule);
    for (const problem of text.problems) note(`${quoteData(name)}: ${problem}`);
    out[name] = text.template;
    if (f.type !== undefined && f.type !== 'string') note(`${quoteData(name)}: its type ${quoteData(f.type)} is not carried over: custom fields are templates, sent as text`);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Observable options of an entry other than the data type: ElastAlert2 reads only the entry's first key as the type. */
const OBSERVABLE_OPTIONS = new Set(['tlp', 'message', 'tags']);

/** hive_observable_data_mapping as the channel's observables ({field, type, tags}); an entry that is not one field is a note. */
function convertObservables(raw: unknown, note: (index: number, message: string) => void): Record<string, unknown>[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    note(0, 'not converted: must be a list such as [{ip: source.ip}]');
    return [];
  }
  const out: Record<string, unknown>[] = [];
  for (const [i, entry] of raw.entries()) {
    const m = mapping(entry);
    const first = m && Object.keys(m)[0];
    if (!m || first === undefined) {
      note(i, 'not converted: an entry is {<data type>: <field>}, e.g. {ip: source.ip}');
      continue;
    }
    if (OBSERVABLE_OPTIONS.has(first)) {
      note(i, `not converted: ElastAlert2 reads the first key of an entry as its data type, and this one's is ${quoteData(first)}: put the data type first`);
      continue;
    }
    const field = observableField(m[first]);
    if (!field) {
      note(i, `not converted: ${quoteData(m[first])} is not one field ({match[field]} or field.path)`);
      continue;
    }
    if (!/^[A-Za-z0-9_-]+$/.test(first)) {
      note(i, `not converted: ${quoteData(first)} is not a TheHive data type (letters, digits, _ and - only)`);
      continue;
    }
    const observable: Record<string, unknown> = { field, type: first };
    const tags = Array.isArray(m.tags) ? m.tags.map(String).filter((t) => t !== '') : [];
    if (tags.length) observable.tags = tags;
    for (const key of Object.keys(m).slice(1)) {
      if (key === 'tags' || (key === 'tlp' && m.tlp === 2)) continue;
      note(i, key === 'tlp' || key === 'message' ? `the observable's ${key} is not converted` : `not converted: ${quoteData(key)} after the data type (ElastAlert2 reads only the first)`);
    }
    out.push(observable);
  }
  return out;
}
