import { quoteData } from './quote.js';
import { convertTemplate, scanFormat } from './templates.js';

/** A field path as alerters name one (`source.ip`, `@timestamp`): letters, digits, `_ @ -`, dots between. */
export const FIELD_PATH = /^[A-Za-z_@][\w@-]*(\.[A-Za-z_@][\w@-]*)*$/;

/** The template of one field of the finding, as the thehive channel and every new channel render it. */
export function fieldRef(path: string): string {
  return `{{fields.${path}}}`;
}

/** A hive text as an alertcron template, or what kept a part of it from carrying over. */
export interface HiveText {
  template: string;
  problems: string[];
}

/** Whether a text is in the format-string form of the first TheHive alerter (`{match[source][ip]}`, `{rule[name]}`). */
export function isLegacyFormat(text: string): boolean {
  return /\{(match|rule)\[/.test(text);
}

/** A literal text as a template: a doubled brace would read as one, so it is named. */
function literal(text: string): HiveText {
  return { template: text, problems: /\{\{|\}\}/.test(text) ? ['the literal {{ or }} would read as a template: reword it'] : [] };
}

/**
 * One value of the match or the rule as the thehive channel renders it. The channel knows its notice's alert, key,
 * title, message and reason, then the finding's fields: so every match field is written `{{fields.<path>}}` (a
 * field named message or key is not mistaken for the notice's), the rule's name is `{{alert}}`, its description
 * (or another text option) its literal text, and a count, which the channel does not know, is a problem.
 */
function hiveValue(arg: string, rule: Record<string, unknown>, problems: string[], channel = 'thehive'): string | undefined {
  if (arg === 'name') return '{{alert}}';
  if (arg === 'description') return ruleText(rule, arg, quoteData(arg), problems);
  if (arg === 'num_hits' || arg === 'num_matches') {
    problems.push(`${quoteData(arg)}: the ${channel} channel has no count of hits: left out`);
    return undefined;
  }
  return fieldRef(arg);
}

/** A text option of the rule as literal text (ElastAlert2 put the rule's value in), or a problem naming it as `shown`. */
function ruleText(rule: Record<string, unknown>, option: string, shown: string, problems: string[]): string | undefined {
  const value = rule[option];
  if (value === undefined && option === 'description') {
    problems.push(`${shown}: the rule has no description: left empty (ElastAlert2 would show a missing value)`);
    return undefined;
  }
  if (!['string', 'number', 'boolean'].includes(typeof value)) {
    problems.push(`${shown} is not a text option of the rule: left out`);
    return undefined;
  }
  const text = String(value);
  if (/\{\{|\}\}/.test(text)) problems.push(`${shown}: the rule's value holds {{ or }}, which would read as a template: reword it`);
  return text;
}

/**
 * The format-string form (`'{rule[name]} -- {match[alert]}'`, Python `str.format` over the rule and the match):
 * `{match[a][b]}` becomes `{{fields.a.b}}`, `{rule[name]}` `{{alert}}`, another `{rule[key]}` (`description`
 * among them) the rule's value as text. Anything else is a problem and left out.
 */
export function convertLegacyFormat(text: string, rule: Record<string, unknown>): HiveText {
  return scanFormat(text, (inner, problems) => {
    const ref = /^(match|rule)((?:\[[^\]]+\])+)$/.exec(inner);
    if (!ref) {
      problems.push(`{${quoteData(inner)}} is neither {match[field]} nor {rule[option]}: left out`);
      return undefined;
    }
    const path = [...ref[2]!.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    if (!path.every((segment) => /^[\w@.-]+$/.test(segment))) problems.push(`{${quoteData(inner)}} names a field no template can (letters, digits, _ @ . - only): left out`);
    else if (ref[1] === 'match') return fieldRef(path.join('.'));
    else if (path.length === 1 && path[0] === 'name') return '{{alert}}';
    else if (path.length === 1) return ruleText(rule, path[0]!, `{${quoteData(inner)}}`, problems);
    else problems.push(`{${quoteData(inner)}} is not a text option of the rule: left out`);
    return undefined;
  });
}

/**
 * A text option of hive_alert_config (title, description, type, source) as a template: the format-string form,
 * or the newer one where `<option>_args` fills `{0}`/`{}` with fields of the first match, or a literal.
 */
export function convertHiveText(text: string, args: unknown, rule: Record<string, unknown>): HiveText {
  return convertChannelText(text, args, rule, 'thehive');
}

/**
 * A text option of a channel-building alerter (`pagerduty_v2_payload_source` with its `_args`, TheHive's title ...)
 * as a template of that channel, which renders the notice's alert, key, title, message and reason and the
 * finding's fields (`{{fields.<path>}}`): the format-string form, the `_args` form, or a literal.
 */
export function convertChannelText(text: string, args: unknown, rule: Record<string, unknown>, channel: string): HiveText {
  if (isLegacyFormat(text)) return convertLegacyFormat(text, rule);
  if (args !== undefined) return convertTemplate(text, args, undefined, (arg, problems) => hiveValue(arg, rule, problems, channel));
  return literal(text);
}


/**
 * A tag or custom field value of the newer alerter, which ElastAlert2 looks up as a field of the match, then as
 * an option of the rule, and else uses as written: a dotted field path (`source.ip`) becomes `{{fields.source.ip}}`,
 * `name` the alert's name, `description` the rule's description as text, anything else stays the text it is.
 * The format-string form is read as such.
 */
export function convertLookup(value: string, rule: Record<string, unknown>): HiveText {
  if (isLegacyFormat(value)) return convertLegacyFormat(value, rule);
  if (value === 'name' || value === 'description' || (value.includes('.') && FIELD_PATH.test(value))) {
    const problems: string[] = [];
    return { template: hiveValue(value, rule, problems) ?? '', problems };
  }
  return literal(value);
}

/**
 * The field an observable mapping value names: `{match[source][ip]}` (one placeholder and nothing else) or, in
 * the newer form, `source.ip`. Undefined for anything else (two fields, text around a field).
 */
export function observableField(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const legacy = /^\{match((?:\[[\w@.-]+\])+)\}$/.exec(value.trim());
  if (legacy) return [...legacy[1]!.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!).join('.');
  return !isLegacyFormat(value) && FIELD_PATH.test(value) ? value : undefined;
}
