import { TelegramApiError } from './telegramApi.js';
import { inertForTelegram } from './text.js';

/**
 * The lowest and highest chat id Telegram gives (its Bot API "dialog ids", core.telegram.org/api/bots/ids: "a bot
 * API dialog ID ranges from -4000000000000 to 1099511627775"); 0 is no chat.
 */
export const MIN_CHAT_ID = -4_000_000_000_000;
/** The highest chat id Telegram gives (a user's private chat: user ids stay below 2^40). */
export const MAX_CHAT_ID = 1_099_511_627_775;

/** Whether text is a chat id Telegram could have: a whole number written plainly (no `+`, leading zero or `-0`), not 0, in Telegram's range. */
export function isChatId(text: string): boolean {
  if (!/^-?[1-9]\d{0,15}$/.test(text)) return false;
  const id = Number(text);
  return id >= MIN_CHAT_ID && id <= MAX_CHAT_ID;
}

/** The administrator's answer to a command whose argument is not a chat id (the argument inert and cut short). */
export function notAChatId(verb: string, text: string): string {
  const shown = inertForTelegram([...text].slice(0, 40).join('')) + ([...text].length > 40 ? '…' : '');
  return `${shown} is not a Telegram chat id: a chat id is a whole number from ${MIN_CHAT_ID} to ${MAX_CHAT_ID}, not 0, without leading zeros (e.g. /${verb}-1001234 for a group, /${verb}123456789 for a person)`;
}

/** Whether Telegram says the bot cannot reach this chat at all: 400 "chat not found" (no such chat for this bot) or 403 (blocked, kicked, never started). */
export function isUnreachableChat(error: unknown): error is TelegramApiError {
  return error instanceof TelegramApiError && (error.status === 403 || (error.status === 400 && /chat not found/i.test(error.description)));
}
