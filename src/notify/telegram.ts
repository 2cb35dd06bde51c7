import type { TelegramChannelConfig } from './config.js';
import { post } from '../http/post.js';
import { httpFailure, networkFailure, retryAfterHeader } from './httpFailure.js';
import { sanitizeText } from './text.js';
import { truncate } from './truncate.js';
import { redact } from '../util/redact.js';
import type { Receipt } from '../model/receipt.js';
import type { Notification, Notifier } from './types.js';

/** Telegram's limit on a message's text, counted after entity parsing. */
const TEXT_LIMIT = 4096;

/** Escapes text for Telegram's HTML parse mode: only &, < and > matter outside attributes. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Builds a sendMessage body: a bold title and the message, escaped, cut to 4,096 visible characters, no link preview. */
export function telegramMessage(notification: Notification, config: Pick<TelegramChannelConfig, 'chat_id' | 'disable_notification'>) {
  const title = truncate(sanitizeText(notification.title), 256);
  const message = truncate(sanitizeText(notification.message), TEXT_LIMIT - title.length - 1);
  return {
    chat_id: config.chat_id,
    text: `<b>${escapeTelegramHtml(title)}</b>\n${escapeTelegramHtml(message)}`,
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    disable_notification: config.disable_notification,
  };
}

/** Creates a Telegram notifier over the Bot API's sendMessage. */
export async function createTelegramNotifier(name: string, config: TelegramChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification, signal) {
      const body = JSON.stringify(telegramMessage(notification, config));
      let answer;
      try {
        answer = await post(new URL(`${config.api_url}/bot${config.bot_token}/sendMessage`), body, {
          headers: { 'content-type': 'application/json' },
          timeoutMs: config.timeout,
          signal,
        });
      } catch (error) {
        throw networkFailure('Telegram', error);
      }
      if (answer.status === 200) return telegramReceipt(answer.text, config.chat_id);
      let description = '';
      let retryAfterMs = retryAfterHeader(answer.headers);
      try {
        const parsed = JSON.parse(answer.text) as { description?: string; parameters?: { retry_after?: number } };
        description = redact(String(parsed.description ?? '')).slice(0, 200);
        if (typeof parsed.parameters?.retry_after === 'number') retryAfterMs = parsed.parameters.retry_after * 1000;
      } catch {
        /* not JSON: the status says enough */
      }
      throw httpFailure('Telegram', answer.status, description, retryAfterMs);
    },
  };
}

/** The receipt of an accepted sendMessage: the message id and the chat it went to (ties later presses and replies to it). */
function telegramReceipt(text: string, chat: string | number): Receipt {
  try {
    const parsed = JSON.parse(text) as { result?: { message_id?: number; chat?: { id?: number | string } } };
    const id = parsed.result?.message_id;
    return { ...(id !== undefined ? { id: String(id) } : {}), chat: String(parsed.result?.chat?.id ?? chat) };
  } catch {
    return { chat: String(chat) };
  }
}
