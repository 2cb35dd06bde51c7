import { TelegramApiError } from './telegramApi.js';
import { inertForChat } from './text.js';
import { oneLine } from '../util/text.js';
import { MAX_CHAT_ID, MIN_CHAT_ID } from '../util/chatId.js';

// The pure id check lives in util (the state layer checks its allow-lists with it too); notify's callers import it from here.
export { isChatId, MAX_CHAT_ID, MIN_CHAT_ID } from '../util/chatId.js';

/** The administrator's answer to a command whose argument is not a chat id (the argument inert and cut short). */
export function notAChatId(verb: string, text: string): string {
  const shown = inertForChat(oneLine(text, 41));
  return `${shown} is not a Telegram chat id: a chat id is a whole number from ${MIN_CHAT_ID} to ${MAX_CHAT_ID}, not 0, without leading zeros (e.g. /${verb}-1001234 for a group, /${verb}123456789 for a person)`;
}

/** Whether Telegram says the bot cannot reach this chat at all: 400 "chat not found" (no such chat for this bot) or 403 (blocked, kicked, never started). */
export function isUnreachableChat(error: unknown): error is TelegramApiError {
  return error instanceof TelegramApiError && (error.status === 403 || (error.status === 400 && /chat not found/i.test(error.description)));
}
