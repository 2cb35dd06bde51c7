import { quoteData } from '../quote.js';
import { listOf, mappingOf, type AlerterChannel, type AlerterContext } from './context.js';
import { FIELD_PATH, fieldRef } from '../hiveTemplates.js';
import { argsText, connectionNotes, namedText } from './text.js';

/** Opsgenie's API hosts: the US one is the default, an EU account has its own. */
const US = 'api.opsgenie.com';
const EU = 'api.eu.opsgenie.com';

/**
 * ElastAlert2's opsgenie alerter as an `opsgenie` channel: the key is the api_key variable, opsgenie_addr the
 * region (or api_url), recipients and teams the responders, the texts (`{field}` of the match) templates, details
 * (a text or `{field: x}`) templates. The alias is alertcron's own per alert and key, so the resolve closes it.
 */
export function convertOpsgenie(ctx: AlerterContext): AlerterChannel[] {
  const key = ctx.take('opsgenie_key');
  if (key === undefined || key === '') return ctx.refuse('opsgenie_key', 'opsgenie_');
  const config: Record<string, unknown> & { type: string } = { type: 'opsgenie' };
  const addr = ctx.take('opsgenie_addr');
  if (typeof addr === 'string') {
    let host: string | undefined;
    try {
      host = new URL(addr).host;
    } catch {
      host = undefined;
    }
    if (host === EU) config.region = 'eu';
    else if (host && host !== US && !/[{}]/.test(addr)) {
      config.api_url = new URL(addr).origin;
      ctx.note('opsgenie_addr', `the channel posts to ${quoteData(config.api_url)}/v2/alerts (Opsgenie's Alert API path)`);
    } else if (host !== US) ctx.note('opsgenie_addr', 'not converted: not an Opsgenie API URL; the channel posts to the US region (set region: eu or api_url)');
  }
  const message = ctx.take('opsgenie_message');
  if (message !== undefined) {
    const template = namedText(ctx, 'opsgenie_message', message);
    if (template) config.message = template;
    ctx.take('opsgenie_subject');
    ctx.take('opsgenie_subject_args');
  } else {
    const subject = argsText(ctx, 'opsgenie_subject', 'opsgenie');
    if (subject) config.message = subject;
  }
  for (const [option, target] of [['opsgenie_description', 'description'], ['opsgenie_entity', 'entity'], ['opsgenie_source', 'source']] as const) {
    const value = ctx.take(option);
    if (value === undefined) continue;
    const template = namedText(ctx, option, value);
    if (template) config[target] = template;
  }
  const priority = ctx.take('opsgenie_priority');
  if (priority !== undefined) {
    if (['P1', 'P2', 'P3', 'P4', 'P5'].includes(String(priority))) config.priority = String(priority);
    else ctx.note('opsgenie_priority', `not converted: ${quoteData(priority)} is not one of P1 to P5 (a priority from a field is not supported); Opsgenie's default P3 applies`);
  }
  for (const [option, target] of [['opsgenie_recipients', 'users'], ['opsgenie_teams', 'teams']] as const) {
    const names = responders(ctx, option, target === 'users' ? ['opsgenie_default_recipients', 'opsgenie_default_receipients'] : ['opsgenie_default_teams']);
    if (names.length) config[target] = names;
  }
  const tags = ctx.take('opsgenie_tags');
  const converted = tags === undefined ? [] : (Array.isArray(tags) ? tags : [tags]).map((tag) => namedText(ctx, 'opsgenie_tags', tag)).filter((t): t is string => !!t);
  // ElastAlert2 always added the tags ElastAlert and the rule's name, and the source ElastAlert: kept, so that
  // Opsgenie's routing, filters and searches on them still match (a name that would read as a template is left out).
  const name = typeof ctx.options.name === 'string' && !/\{\{|\}\}|\{%/.test(ctx.options.name) ? [ctx.options.name] : [];
  config.tags = [...new Set([...converted, 'ElastAlert', ...name])];
  if (config.source === undefined) config.source = 'ElastAlert';
  const details = opsgenieDetails(ctx);
  if (details) config.details = details;
  if (ctx.take('opsgenie_alias') !== undefined) ctx.note('opsgenie_alias', 'not converted: alertcron sets its own alias per alert and key (alertcron-<40 hex>), so that the key\'s resolve closes the Opsgenie alert it opened');
  if (ctx.take('opsgenie_account') !== undefined) ctx.note('opsgenie_account', 'not converted: the Opsgenie alert is created by the API key\'s integration');
  connectionNotes(ctx, 'opsgenie_');
  ctx.rest('opsgenie_', 'not converted: the opsgenie channel has no such setting');
  return [{ config, secrets: [ctx.secret('api_key', 'opsgenie_key', key)] }];
}

/**
 * Responder names: the fixed ones of a list; a name filled from a field (`{team}` with `_args`) cannot be a fixed
 * responder, so the defaults (which ElastAlert2 used when no name could be formed) stand in, noted.
 */
function responders(ctx: AlerterContext, option: string, defaults: string[]): string[] {
  const names = listOf(ctx.take(option));
  ctx.take(`${option}_args`);
  const fallback = defaults.flatMap((d) => listOf(ctx.take(d)));
  const fixed = names.filter((n) => !/[{}]/.test(n));
  if (fixed.length < names.length) ctx.note(option, `a responder named from a field is not converted (responders are fixed names)${fallback.length ? `: the defaults ${quoteData(fallback.join(', '))} stand in` : ''}`);
  return [...new Set([...fixed, ...(fixed.length < names.length ? fallback : [])])];
}

/** opsgenie_details: `{name: text}` (with `$ENV` expanded by ElastAlert2) or `{name: {field: path}}`, as templates. */
function opsgenieDetails(ctx: AlerterContext): Record<string, string> | undefined {
  const raw = ctx.take('opsgenie_details');
  if (raw === undefined) return undefined;
  const details = mappingOf(raw);
  if (!details) {
    ctx.note('opsgenie_details', 'not converted: must be a mapping');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(details)) {
    const field = mappingOf(value)?.field;
    if (typeof field === 'string' && FIELD_PATH.test(field)) out[name] = fieldRef(field);
    else if (typeof value === 'string' && !/\{\{|\}\}/.test(value)) {
      out[name] = value;
      if (/\$/.test(value)) ctx.note('opsgenie_details', `${quoteData(name)}: ElastAlert2 expanded environment variables ($NAME) in it; alertcron sends the text as written`);
    } else ctx.note('opsgenie_details', `${quoteData(name)}: not converted (a text, or {field: <field name>})`);
  }
  return Object.keys(out).length ? out : undefined;
}
