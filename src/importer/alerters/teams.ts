import { quoteData } from '../quote.js';
import { listOf, mappingOf, type AlerterChannel, type AlerterContext } from './context.js';
import { FIELD_PATH } from '../hiveTemplates.js';
import { connectionNotes } from './text.js';

/** Options of both Teams alerters that only style the card or link to Kibana/OpenSearch: named, not converted. */
const STYLE = 'not converted: the teams channel sends the notice\'s title and message as an Adaptive Card (facts and full_width are its only layout settings)';

/**
 * ElastAlert2's `ms_power_automate` alerter (a Workflows webhook) and the retired `ms_teams` alerter (an Office 365
 * connector URL, which no longer takes messages) as `teams` channels, one per URL. The URL is a variable; for
 * ms_teams it must be set to a new Workflows URL, never the old one (the channel refuses connector URLs).
 */
export function convertTeams(ctx: AlerterContext): AlerterChannel[] {
  const retired = ctx.name === 'ms_teams';
  const prefix = retired ? 'ms_teams_' : 'ms_power_automate_';
  const urlOption = `${prefix}webhook_url`;
  const urls = listOf(ctx.take(urlOption));
  if (!urls.length) return ctx.refuse(urlOption, prefix);
  const config: Record<string, unknown> & { type: string } = { type: 'teams' };
  if (retired) ctx.note(urlOption, 'Microsoft retired the Office 365 connectors this URL belongs to: create a Workflows webhook in the Teams channel ("Post to a channel when a webhook request is received") and set the variable to its URL; the old URL is not written and the channel refuses it');
  const facts = teamsFacts(ctx, `${prefix}alert_facts`);
  if (facts.length) config.facts = facts;
  if (ctx.take(`${prefix}teams_card_width_full`) === true) config.full_width = true;
  if (ctx.take('ms_teams_alert_fixed_width') === true) ctx.note('ms_teams_alert_fixed_width', 'not converted: the card\'s text is not monospaced');
  if (ctx.take('ms_power_automate_webhook_url_from_field') !== undefined) ctx.note('ms_power_automate_webhook_url_from_field', 'not converted: a webhook URL taken from a log field would let log text choose where alerts go; the channel posts to its own URL');
  connectionNotes(ctx, prefix);
  ctx.rest(prefix, STYLE);
  // The URL (the old connector's too) is only the variable's identity: it is never written.
  return urls.map((url) => ({ config, secrets: [ctx.secret('webhook_url', urlOption, url)] }));
}

/** `<prefix>alert_facts` ([{name, value}], the value a field or a text): the fields, shown under their own names. */
function teamsFacts(ctx: AlerterContext, option: string): string[] {
  const raw = ctx.take(option);
  if (raw === undefined || raw === '') return [];
  const entries = Array.isArray(raw) ? raw : [];
  if (!entries.length) ctx.note(option, 'not converted: must be a list of {name, value}');
  const fields: string[] = [];
  for (const entry of entries) {
    const value = mappingOf(entry)?.value;
    const name = mappingOf(entry)?.name;
    if (typeof value !== 'string' || !FIELD_PATH.test(value)) {
      ctx.note(option, `${quoteData(name ?? value)}: not converted: facts are fields of the finding`);
      continue;
    }
    fields.push(value);
    if (name !== undefined && name !== value) ctx.note(option, `${quoteData(name)}: the fact is shown under its field's name, ${quoteData(value)}`);
  }
  return [...new Set(fields)];
}
