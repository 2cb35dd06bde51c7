import { quoteData } from '../quote.js';
import type { AlerterChannel, AlerterContext } from './context.js';
import { connectionNotes } from './text.js';

/** ElastAlert2's discord alerter as a `discord` channel: the webhook URL a variable, the embed colour carried over. */
export function convertDiscord(ctx: AlerterContext): AlerterChannel[] {
  const url = ctx.take('discord_webhook_url');
  if (typeof url !== 'string' || !url) return ctx.refuse('discord_webhook_url', 'discord_');
  const config: Record<string, unknown> & { type: string } = { type: 'discord' };
  const color = ctx.take('discord_embed_color');
  if (color !== undefined) {
    const n = typeof color === 'string' && /^(0x|#)[0-9a-f]{1,6}$/i.test(color) ? parseInt(color.replace(/^(0x|#)/i, ''), 16) : color;
    if (Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffff) config.color = n;
    else ctx.note('discord_embed_color', `not converted: ${quoteData(color)} is not a colour number (0x000000 to 0xffffff)`);
  }
  connectionNotes(ctx, 'discord_');
  ctx.rest('discord_', 'not converted: the discord channel sends the notice\'s title and message in an embed of its own (username and color are its settings)');
  return [{ config, secrets: [ctx.secret('webhook_url', 'discord_webhook_url', url)] }];
}
