import { quoteData } from '../quote.js';
import { listOf, type AlerterChannel, type AlerterContext } from './context.js';
import { connectionNotes } from './text.js';

/** Slack's (and Mattermost's) named attachment colours as the hex colours they stand for. */
const NAMED_COLORS: Readonly<Record<string, string>> = { good: '#2eb886', warning: '#daa038', danger: '#a30200' };

/**
 * ElastAlert2's mattermost alerter as `mattermost` channels: one per webhook URL and channel override (ElastAlert2
 * posts to each), the URL a variable; username, icon and colour carried over.
 */
export function convertMattermost(ctx: AlerterContext): AlerterChannel[] {
  const urls = listOf(ctx.take('mattermost_webhook_url'));
  if (!urls.length) return ctx.refuse('mattermost_webhook_url', 'mattermost_');
  const base: Record<string, unknown> & { type: string } = { type: 'mattermost' };
  const username = ctx.take('mattermost_username_override');
  if (typeof username === 'string' && username) base.username = username;
  const icon = ctx.take('mattermost_icon_url_override');
  if (typeof icon === 'string' && icon) base.icon_url = icon;
  const color = ctx.take('mattermost_msg_color');
  if (typeof color === 'string' && (NAMED_COLORS[color] || /^#[0-9a-f]{6}$/i.test(color))) base.color = NAMED_COLORS[color] ?? color;
  else if (color !== undefined) ctx.note('mattermost_msg_color', `not converted: ${quoteData(color)} is not good, warning, danger or a #rrggbb colour`);
  const overrides = listOf(ctx.take('mattermost_channel_override'));
  connectionNotes(ctx, 'mattermost_');
  ctx.rest('mattermost_', 'not converted: the mattermost channel sends the notice\'s title and message as one attachment (channel, username, icon_url and color are its settings)');
  const channels = overrides.length ? overrides : [undefined];
  return urls.flatMap((url) => channels.map((channel) => ({ config: { ...base, ...(channel ? { channel } : {}) }, secrets: [ctx.secret('webhook_url', 'mattermost_webhook_url', url)] })));
}
