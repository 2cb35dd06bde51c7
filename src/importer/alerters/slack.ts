import { listOf, type AlerterChannel, type AlerterContext } from './context.js';

/** ElastAlert2's slack alerter as one `slack` channel per webhook URL (each URL a variable). */
export function convertSlack(ctx: AlerterContext): AlerterChannel[] {
  const urls = listOf(ctx.take('slack_webhook_url'));
  if (!urls.length) ctx.noteAlerter('slack_webhook_url', 'the slack alerter has no slack_webhook_url: not converted');
  const channels = urls.map((url) => ({ config: { type: 'slack' }, secrets: [ctx.secret('webhook_url', 'slack_webhook_url', url)] }));
  if (ctx.take('slack_timeout') !== undefined) ctx.note('slack_timeout', 'not converted: the channel\'s timeout (default 10s) applies');
  ctx.rest('slack_', 'not converted: an alertcron Slack channel posts plain text to its webhook\'s own channel, as the webhook\'s own user');
  return channels;
}
