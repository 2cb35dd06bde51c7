import type { AlerterChannel, AlerterContext } from './context.js';

/** ElastAlert2's telegram alerter as a `telegram` channel (the bot token a variable). */
export function convertTelegram(ctx: AlerterContext): AlerterChannel[] {
  const token = ctx.take('telegram_bot_token');
  const room = ctx.take('telegram_room_id');
  if (token === undefined || room === undefined) {
    ctx.noteAlerter('telegram', 'the telegram alerter needs telegram_bot_token and telegram_room_id: not converted');
    return [];
  }
  const api = ctx.take('telegram_api_url');
  const chat = /^-?\d+$/.test(String(room)) ? Number(room) : String(room);
  const channel = { config: { type: 'telegram', chat_id: chat, ...(api ? { api_url: `https://${String(api)}` } : {}) }, secrets: [ctx.secret('bot_token', 'telegram_bot_token', token)] };
  ctx.rest('telegram_', 'not converted: alertcron sends plain HTML-escaped text without a proxy');
  return [channel];
}
