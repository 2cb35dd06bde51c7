import type { TelegramChat, TelegramMessage, TelegramUpdate, TelegramUser } from './telegramApi.js';
import { isPlainObject } from '../util/plainMap.js';

/** Why an update read from getUpdates cannot be used: thrown while checking, caught per update. */
class BadUpdate extends Error {}

type Json = Record<string, unknown>;

function need(ok: boolean, why: string): void {
  if (!ok) throw new BadUpdate(why);
}

/** An id Telegram could send: a whole number JavaScript holds exactly (a huge one would name another chat or person). */
function id(value: unknown, where: string): number {
  need(typeof value === 'number' && Number.isSafeInteger(value), `${where} is not a usable id`);
  return value as number;
}

function optionalString(value: unknown, where: string): void {
  need(value === undefined || typeof value === 'string', `${where} is not text`);
}

function user(value: unknown, where: string): TelegramUser {
  need(isPlainObject(value), `${where} is missing`);
  const u = value as Json;
  id(u.id, `${where}.id`);
  for (const key of ['first_name', 'last_name', 'username']) optionalString(u[key], `${where}.${key}`);
  need(u.is_bot === undefined || typeof u.is_bot === 'boolean', `${where}.is_bot is not true or false`);
  return u as unknown as TelegramUser;
}

function chat(value: unknown, where: string): TelegramChat {
  need(isPlainObject(value), `${where} is missing`);
  const c = value as Json;
  id(c.id, `${where}.id`);
  need(typeof c.type === 'string', `${where}.type is not text`);
  for (const key of ['title', 'username', 'first_name']) optionalString(c[key], `${where}.${key}`);
  return c as unknown as TelegramChat;
}

function message(value: unknown, where: string, depth = 0): TelegramMessage {
  need(isPlainObject(value), `${where} is missing`);
  const m = value as Json;
  id(m.message_id, `${where}.message_id`);
  chat(m.chat, `${where}.chat`);
  // A date that is not a time does not make the message unusable: it is read as 0 (unknown), and its readers take the run's time.
  if (m.date !== undefined && !(typeof m.date === 'number' && Number.isFinite(m.date))) m.date = 0;
  if (m.from !== undefined) user(m.from, `${where}.from`);
  if (m.via_bot !== undefined) user(m.via_bot, `${where}.via_bot`);
  optionalString(m.text, `${where}.text`);
  optionalString(m.forward_sender_name, `${where}.forward_sender_name`);
  if (m.migrate_to_chat_id !== undefined) id(m.migrate_to_chat_id, `${where}.migrate_to_chat_id`);
  if (m.reply_to_message !== undefined) {
    need(depth === 0, `${where}.reply_to_message is nested too deep`);
    message(m.reply_to_message, `${where}.reply_to_message`, depth + 1);
  }
  return m as unknown as TelegramMessage;
}

/**
 * Checks one update from getUpdates against the fields alertcron reads (ids whole and exact, chats and people
 * present where they must be, text as text): the update as typed, or why it cannot be used. Kinds alertcron does
 * not read pass unchanged; one bad update never stops the others.
 */
export function checkUpdate(raw: unknown): { update: TelegramUpdate } | { why: string; updateId?: number } {
  const updateId = isPlainObject(raw) && typeof raw.update_id === 'number' && Number.isSafeInteger(raw.update_id) ? raw.update_id : undefined;
  try {
    need(isPlainObject(raw), 'the update is not an object');
    need(updateId !== undefined && updateId >= 0, 'update_id is not a usable id');
    const u = raw as Json;
    if (u.callback_query !== undefined) {
      need(isPlainObject(u.callback_query), 'callback_query is not an object');
      const q = u.callback_query as Json;
      need(typeof q.id === 'string' && q.id.length > 0, 'callback_query.id is not text');
      user(q.from, 'callback_query.from');
      optionalString(q.data, 'callback_query.data');
      if (q.message !== undefined) message(q.message, 'callback_query.message');
    }
    if (u.message !== undefined) message(u.message, 'message');
    if (u.my_chat_member !== undefined) {
      need(isPlainObject(u.my_chat_member), 'my_chat_member is not an object');
      const m = u.my_chat_member as Json;
      chat(m.chat, 'my_chat_member.chat');
      user(m.from, 'my_chat_member.from');
      for (const key of ['old_chat_member', 'new_chat_member']) need(isPlainObject(m[key]) && typeof (m[key] as Json).status === 'string', `my_chat_member.${key}.status is not text`);
    }
    return { update: u as unknown as TelegramUpdate };
  } catch (error) {
    if (!(error instanceof BadUpdate)) throw error;
    return { why: error.message, ...(updateId !== undefined ? { updateId } : {}) };
  }
}
