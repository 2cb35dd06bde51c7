import type { TelegramChannelConfig } from './config.js';
import { inertForChat } from './text.js';
import { cleanText, cutText } from '../util/text.js';
import type { NoticeAction } from '../model/operation.js';
import type { Receipt } from '../model/receipt.js';
import { chatsOf, type StateData } from '../model/state.js';
import { callTelegram, TelegramApiError, type PressButton } from './telegramApi.js';
import { dropUnreachable } from './telegramChatCheck.js';
import { moveChat, queueChatChange } from './telegramChatChanges.js';
import { clockFromEnv } from '../util/clock.js';
import { DeliveryError, type Notification, type Notifier } from './types.js';
import { usableDigest } from './digest/usable.js';
import { telegramDigestText } from './digest/telegramList.js';

/** Telegram's limit on a message's text, counted after entity parsing. */
const TEXT_LIMIT = 4096;

/** Escapes text for Telegram's HTML parse mode: only &, < and > matter outside attributes. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The buttons of a notice's chat actions, one row: each carries `<ref>:<action>` (never alert data; at most 64 bytes). */
export function actionButtons(ref: string | undefined, actions: readonly NoticeAction[] | undefined): PressButton[][] {
  if (!ref || !actions?.length) return [];
  return [actions.map((a) => ({ text: a.label, callback_data: `${ref}:${a.name}`.slice(0, 64) }))];
}

/** The line under a bot's notice saying how to act on it without the buttons (a press expires in 150 s; text lasts 24 h). */
export function actionFooter(ref: string, actions: readonly NoticeAction[]): string {
  const words = actions.map((a) => (a.forMs !== undefined ? `${a.name} 2h` : a.name));
  return `ref ${ref}: reply to this message with ${words.join(' or ')}, or send /${actions[0]!.name} ${ref}`;
}

/** Builds a sendMessage body: a bold title and the message (a digest: its rows), escaped, cut to 4,096 visible characters, no link preview; a bot's notice adds its buttons. */
export function telegramMessage(notification: Notification, config: Pick<TelegramChannelConfig, 'chat_id' | 'disable_notification'> & { bot?: boolean }, chat: string | number | undefined = config.chat_id) {
  const buttons = config.bot ? actionButtons(notification.ref, notification.actions) : [];
  const footer = buttons.length ? actionFooter(notification.ref!, notification.actions!) : '';
  // Log data in a notice is made inert: Telegram would otherwise auto-link its URLs, @mentions and /commands.
  const title = cutText(inertForChat(cleanText(notification.title)), 256);
  const room = TEXT_LIMIT - title.length - 1 - (footer ? footer.length + 2 : 0);
  // A digest is a compact list of its table's rows instead of the message.
  const digest = usableDigest(notification.digest);
  const message = digest ? telegramDigestText(digest, room) : cutText(inertForChat(cleanText(notification.message)), room);
  return {
    chat_id: chat,
    text: `<b>${escapeTelegramHtml(title)}</b>\n${escapeTelegramHtml(message)}${footer ? `\n\n<i>${escapeTelegramHtml(footer)}</i>` : ''}`,
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    disable_notification: config.disable_notification,
    ...(buttons.length ? { reply_markup: { inline_keyboard: buttons } } : {}),
  };
}

/**
 * The chats a notice goes to: those a partly failed earlier attempt still owes it to that are still allowed (a chat
 * banned or denied since gets nothing); else, with an administrator, every chat the administrator allowed (plus
 * chat_id); else chat_id.
 */
export function recipientsOf(name: string, config: TelegramChannelConfig, notification: Notification, data: StateData | undefined): (string | number)[] {
  const fixed = config.chat_id !== undefined ? [config.chat_id] : [];
  const allowed = config.admin_chat_id && data ? Object.keys(chatsOf(data, name).allowed).filter((id) => id !== String(config.chat_id)) : [];
  const current = [...fixed, ...allowed];
  const owed = notification.to?.filter((to) => /^-?\d+$/.test(to));
  if (owed?.length) return owed.filter((chat) => current.some((c) => String(c) === chat) && !(data && chatsOf(data, name).banned[chat]));
  return current;
}

/**
 * Creates a Telegram notifier over the Bot API's sendMessage. With an administrator it sends to every allowed
 * chat; a chat that failed for now is owed the notice (retried alone), one that was upgraded to a supergroup
 * keeps its allowance under the new id, and one that blocked the bot is not tried again.
 */
export async function createTelegramNotifier(name: string, config: TelegramChannelConfig, data?: StateData): Promise<Notifier> {
  return {
    name,
    async send(notification, signal) {
      const chats = recipientsOf(name, config, notification, data);
      // Every chat still owed it was banned or denied since: nothing more to send (the earlier messages are the receipt).
      if (!chats.length && notification.to?.length) return {};
      if (!chats.length) throw new DeliveryError('no chat is allowed yet: the administrator allows chats with the buttons the bot sends (see docs/chat.md, Telegram bot)', true, undefined, true);
      const messages: { chat: string; id: string }[] = [];
      const owed: string[] = [];
      let lastFailure: DeliveryError | undefined;
      let retryAfterMs: number | undefined;
      for (const chat of chats) {
        try {
          messages.push(await sendTo(name, config, notification, chat, data, signal));
        } catch (error) {
          const failure = error instanceof TelegramApiError ? error.toDeliveryError() : (error as DeliveryError);
          lastFailure = failure;
          // A chat that blocked or kicked the bot, or that Telegram does not know, leaves the allow-list (as its
          // my_chat_member update would do), and the administrator is told.
          await dropUnreachable(data, name, config, String(chat), error, signal);
          if (failure.retryable) {
            owed.push(String(chat));
            retryAfterMs = Math.max(retryAfterMs ?? 0, failure.retryAfterMs ?? 0) || undefined;
          }
        }
      }
      const [first] = messages;
      const receipt: Receipt = { ...(first ? { id: first.id, chat: first.chat } : {}), ...(messages.length > 1 ? { messages } : {}) };
      if (owed.length && (messages.length || owed.length < chats.length)) throw new DeliveryError(`${lastFailure!.message} (${owed.length} of ${chats.length} chats still owed)`, true, retryAfterMs, false, owed, messages.length ? receipt : undefined);
      if (lastFailure && !messages.length) throw lastFailure;
      return receipt;
    },
  };
}

/** Sends to one chat; a group upgraded to a supergroup gets it at its new id, which keeps the old one's allowance. */
async function sendTo(name: string, config: TelegramChannelConfig, notification: Notification, chat: string | number, data: StateData | undefined, signal: AbortSignal): Promise<{ chat: string; id: string }> {
  try {
    const sent = await callTelegram<{ message_id: number; chat?: { id: number } }>(config, 'sendMessage', telegramMessage(notification, config, chat), signal);
    return { chat: String(sent.chat?.id ?? chat), id: String(sent.message_id) };
  } catch (error) {
    if (!(error instanceof TelegramApiError) || error.migrateTo === undefined) throw error;
    // With the partitioned cluster store the move is also queued for the coordinator, the writer of the chats.
    if (data && moveChat(data, name, String(chat), String(error.migrateTo))) queueChatChange(data, name, { change: 'moved', id: String(chat), to: String(error.migrateTo) }, clockFromEnv()());
    const sent = await callTelegram<{ message_id: number }>(config, 'sendMessage', telegramMessage(notification, config, error.migrateTo), signal);
    return { chat: String(error.migrateTo), id: String(sent.message_id) };
  }
}

/** Moves a chat's allowance (or ban) to its new id after a group became a supergroup (kept here for its importers). */
export { moveChat } from './telegramChatChanges.js';
