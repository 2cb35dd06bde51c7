import type { TelegramChannelConfig } from '../../config.js';
import { apiUrl, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';

/** A notice no earlier attempt owes to some chats: it goes to every current one. */
const NEW_NOTICE = { alert: '', key: '', reason: '', title: '', message: '' };

/** A Telegram Bot API channel; in bot mode it also reads presses, commands and replies, and holds private conversations. */
export const telegramChannel: ChannelKind<TelegramChannelConfig> = {
  type: 'telegram',
  secretKeys: ['bot_token'],
  complete: (raw) => ({
    type: 'telegram',
    bot_token: String(raw.bot_token),
    ...(raw.chat_id !== undefined ? { chat_id: raw.chat_id as string | number } : {}),
    api_url: apiUrl(raw, 'https://api.telegram.org'),
    disable_notification: raw.disable_notification === true,
    timeout: timeoutOf(raw),
    bot: raw.bot === true || raw.admin_chat_id !== undefined,
    ...(raw.admin_chat_id !== undefined ? { admin_chat_id: String(raw.admin_chat_id) } : {}),
    ...(raw.allowed_users ? { allowed_users: raw.allowed_users as number[] } : {}),
    ...(raw.admin_users ? { admin_users: raw.admin_users as number[] } : {}),
  }),
  destinations: async (name, config, data) => (await import('../../telegram.js')).recipientsOf(name, config, NEW_NOTICE, data).map((chat) => `chat ${chat}`),
  receiptId: 'message id',
  needsState: (config) => Boolean(config.admin_chat_id),
  notifier: async (name, config, data) => (await import('../../telegram.js')).createTelegramNotifier(name, config, data),
  inbox: {
    reads: (config) => config.bot,
    create: async (name, config) => (await import('../../telegramInbox.js')).createTelegramInbox(name, config),
    // One getUpdates per bot and run: a second channel with the same bot would take the first one's updates.
    shared: (config) => (config.bot_token ? { key: config.bot_token, what: 'Telegram bot' } : undefined),
  },
  ask: {
    can: (config) => config.bot,
    create: async (config, kept) => (await import('../../telegramAsk.js')).createTelegramAskChannel({ api_url: config.api_url, bot_token: config.bot_token, timeout: config.timeout }, kept),
  },
};
