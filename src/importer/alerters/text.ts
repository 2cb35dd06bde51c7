import { convertChannelText, FIELD_PATH, fieldRef } from '../hiveTemplates.js';
import { quoteData } from '../quote.js';
import { convertTemplate } from '../templates.js';
import type { AlerterContext } from './context.js';


/**
 * A text option with its `<key>_args` list (`pagerduty_v2_payload_source`, `opsgenie_subject`): `{0}`/`{}` filled
 * with fields of the match (ElastAlert2's lookup, then the rule's option), as a template of the channel. Undefined
 * when the option is not set; what does not carry over is noted at the option's line.
 */
export function argsText(ctx: AlerterContext, key: string, channel: string): string | undefined {
  const text = ctx.take(key);
  const args = ctx.take(`${key}_args`);
  if (text === undefined) {
    if (args !== undefined) ctx.note(`${key}_args`, `not converted: without ${key} there is nothing to fill in`);
    return undefined;
  }
  if (typeof text !== 'string') {
    ctx.note(key, 'not converted: must be a text');
    return undefined;
  }
  const converted = convertChannelText(text, args, ctx.options, channel);
  for (const problem of converted.problems) ctx.note(key, problem);
  return converted.template;
}

/**
 * A text ElastAlert2 fills with Python's `str.format(**match)` (Opsgenie's message, entity, tags ...): each
 * `{field}` becomes the field's template; a positional `{}` has nothing to name and is left out, noted.
 */
export function namedText(ctx: AlerterContext, key: string, text: unknown): string | undefined {
  if (typeof text !== 'string') {
    ctx.note(key, `not converted: ${quoteData(text)} is not a text`);
    return undefined;
  }
  const { template, problems } = convertTemplate(text, undefined, undefined, (arg, found) => {
    if (FIELD_PATH.test(arg)) return fieldRef(arg);
    found.push(`{${quoteData(arg)}} is no field name: left out`);
    return undefined;
  });
  for (const problem of problems) ctx.note(key, problem);
  return template;
}

/** A mapping of names to field paths (custom details, Alertmanager's fields) as a mapping of names to templates. */
export function fieldMap(ctx: AlerterContext, key: string, value: unknown, literalToo: boolean): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    ctx.note(key, 'not converted: must be a mapping of names to fields');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
    if (typeof field === 'string' && FIELD_PATH.test(field)) out[name] = fieldRef(field);
    else if (literalToo && ['string', 'number', 'boolean'].includes(typeof field) && !/\{\{|\}\}/.test(String(field))) out[name] = String(field);
    else ctx.note(key, `${quoteData(name)}: ${quoteData(field)} is not a field name: left out`);
  }
  return Object.keys(out).length ? out : undefined;
}

/** ElastAlert2's proxy and TLS options of an alerter: named, since alertcron connects directly and checks certificates. */
export function connectionNotes(ctx: AlerterContext, prefix: string): void {
  ctx.unsupported([`${prefix}proxy`, `${prefix}proxy_login`, `${prefix}proxy_password`], 'not converted: alertcron connects to the service directly');
  ctx.unsupported([`${prefix}ca_certs`], 'not converted: alertcron checks the service\'s certificate against the system\'s CAs (add one with NODE_EXTRA_CA_CERTS)');
  ctx.unsupported([`${prefix}ignore_ssl_errors`], 'not converted: alertcron always checks the service\'s certificate');
}
