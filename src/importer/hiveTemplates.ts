import { quoteData } from './quote.js';
import { convertTemplate, placeholder, scanFormat } from './templates.js';

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
 * The format-string form (`'{rule[name]} -- {match[alert]}'`, Python `str.format` over the rule and the match):
 * `{match[a][b]}` becomes `{{a.b}}`, `{rule[name]}` `{{alert}}`, `{rule[description]}` `{{description}}`, another
 * `{rule[key]}` the rule's value as text. Anything else is a problem and left out.
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
    else if (ref[1] === 'match') return placeholder(path.join('.'));
    else if (path.length === 1 && (path[0] === 'name' || path[0] === 'description')) return placeholder(path[0]);
    else if (path.length === 1 && ['string', 'number', 'boolean'].includes(typeof rule[path[0]!])) {
      const value = String(rule[path[0]!]);
      if (/\{\{|\}\}/.test(value)) problems.push(`{${quoteData(inner)}}: the rule's value holds {{ or }}, which would read as a template: reword it`);
      return value;
    } else problems.push(`{${quoteData(inner)}} is not a text option of the rule: left out`);
    return undefined;
  });
}

/**
 * A text option of hive_alert_config (title, description, type, source) as a template: the format-string form,
 * or the newer one where `<option>_args` fills `{0}`/`{}` with fields of the first match, or a literal.
 */
export function convertHiveText(text: string, args: unknown, rule: Record<string, unknown>): HiveText {
  if (isLegacyFormat(text)) return convertLegacyFormat(text, rule);
  if (args !== undefined) return convertTemplate(text, args, undefined);
  return literal(text);
}

/** A field path as the newer TheHive alerter reads one (`source.ip`): letters, digits, `_ @ -`, dots between. */
const FIELD_PATH = /^[A-Za-z_@][\w@-]*(\.[A-Za-z_@][\w@-]*)*$/;

/**
 * A tag or custom field value of the newer alerter, which ElastAlert2 looks up as a field of the match, then as
 * an option of the rule, and else uses as written: a dotted field path (`source.ip`) becomes `{{source.ip}}`,
 * `name` the alert's name, anything else stays the text it is. The format-string form is read as such.
 */
export function convertLookup(value: string, rule: Record<string, unknown>): HiveText {
  if (isLegacyFormat(value)) return convertLegacyFormat(value, rule);
  if (value === 'name' || value === 'description') return { template: placeholder(value), problems: [] };
  if (value.includes('.') && FIELD_PATH.test(value)) return { template: placeholder(value), problems: [] };
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
