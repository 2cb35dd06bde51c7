import { post } from '../http/post.js';
import { redact } from '../util/redact.js';
import { httpFailure, networkFailure, retryAfterHeader } from './httpFailure.js';
import { checkUpdate } from './telegramUpdate.js';
import type { DeliveryError } from './types.js';
import { cutText, oneLine } from '../util/text.js';

/** Where a bot is and how long one call may take. */
export interface TelegramBot {
  api_url: string;
  bot_token: string;
  timeout: number;
}

/** A Bot API answer with ok:false (or no JSON at all): its status, Telegram's description and parameters. */
export class TelegramApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly retryAfterMs?: number,
    /** Set when a group was upgraded to a supergroup: the chat's new id. */
    readonly migrateTo?: number,
  ) {
    super(`Telegram answered HTTP ${status}${description ? ` ${description}` : ''}`);
    this.name = 'TelegramApiError';
  }

  /** The same failure as a delivery error (retryable for 429, 5xx). */
  toDeliveryError(): DeliveryError {
    return httpFailure('Telegram', this.status, this.description, this.retryAfterMs);
  }
}

/**
 * Calls one Bot API method with a JSON body and returns its `result`; throws a TelegramApiError for an ok:false
 * answer and a DeliveryError (networkFailure) when Telegram could not be reached. The token never appears in errors.
 */
export async function callTelegram<T = unknown>(bot: TelegramBot, method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let answer;
  try {
    answer = await post(new URL(`${bot.api_url}/bot${bot.bot_token}/${method}`), JSON.stringify(params), {
      headers: { 'content-type': 'application/json' },
      timeoutMs: bot.timeout,
      signal,
    });
  } catch (error) {
    throw networkFailure('Telegram', error);
  }
  let parsed: { ok?: boolean; result?: T; description?: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } } = {};
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    /* not JSON: the status says enough */
  }
  if (answer.status === 200 && parsed.ok === true) return parsed.result as T;
  const retryAfter = typeof parsed.parameters?.retry_after === 'number' ? parsed.parameters.retry_after * 1000 : retryAfterHeader(answer.headers);
  const description = oneLine(redact(String(parsed.description ?? '')), 200);
  throw new TelegramApiError(answer.status, description, retryAfter, parsed.parameters?.migrate_to_chat_id);
}

/** A Telegram user or bot as updates describe them. */
export interface TelegramUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

/** A chat as updates describe it. */
export interface TelegramChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
}

/** A message (or, for a callback on a deleted message, its inaccessible remains: date 0). */
export interface TelegramMessage {
  message_id: number;
  date: number;
  chat: TelegramChat;
  from?: TelegramUser;
  text?: string;
  reply_to_message?: TelegramMessage;
  migrate_to_chat_id?: number;
  migrate_from_chat_id?: number;
  new_chat_members?: TelegramUser[];
  /** Set on a forwarded message (Bot API 7.0+); the older forward_* fields are kept for older servers. */
  forward_origin?: unknown;
  forward_from?: unknown;
  forward_from_chat?: unknown;
  forward_sender_name?: string;
  forward_date?: number;
  /** Set on a message the person sent through an inline bot: the text is that bot's, not theirs. */
  via_bot?: TelegramUser;
}

/** One update of getUpdates: only the kinds alertcron asks for. */
export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  callback_query?: { id: string; from: TelegramUser; message?: TelegramMessage; data?: string; chat_instance?: string };
  my_chat_member?: { chat: TelegramChat; from: TelegramUser; date: number; old_chat_member: { status: string }; new_chat_member: { status: string } };
}

/** The update kinds a one-shot run reads: messages (commands, replies), button presses and the bot's own membership. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'];

/** How many updates one getUpdates returns at most (Telegram's cap). */
export const UPDATES_PAGE = 100;

/**
 * Reads one page of updates after `offset` without waiting (timeout 0). Only one: asking for the next page
 * (offset = last + 1) confirms this one, so Telegram deletes it; the caller applies a page, saves its effects and
 * stores the returned offset before it reads the next. `more` says the page was full (more may be waiting).
 * An update of the wrong shape is left out (in `skipped`, with why) and the offset still moves past it.
 */
export async function readUpdates(bot: TelegramBot, offset: number | undefined, signal?: AbortSignal): Promise<{ updates: TelegramUpdate[]; skipped: { updateId?: number; why: string }[]; offset: number | undefined; more: boolean }> {
  const page = await callTelegram<unknown>(bot, 'getUpdates', { ...(offset !== undefined ? { offset } : {}), timeout: 0, limit: UPDATES_PAGE, allowed_updates: ALLOWED_UPDATES }, signal);
  if (!Array.isArray(page)) throw new TelegramApiError(200, 'getUpdates returned no list of updates');
  const updates: TelegramUpdate[] = [];
  const skipped: { updateId?: number; why: string }[] = [];
  let next = offset;
  for (const raw of page) {
    const checked = checkUpdate(raw);
    if ('update' in checked) updates.push(checked.update);
    else skipped.push(checked);
    // update_id may jump (chosen at random after a quiet week): the next offset is the highest seen plus one.
    const seen = 'update' in checked ? checked.update.update_id : checked.updateId;
    if (seen !== undefined && seen >= 0) next = Math.max(next ?? 0, seen + 1);
  }
  return { updates, skipped, offset: next, more: page.length >= UPDATES_PAGE };
}

/** Answers a button press; "query is too old" (a press read by a late run) is expected and harmless: false, no throw. */
export async function answerPress(bot: TelegramBot, id: string, text: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await callTelegram(bot, 'answerCallbackQuery', { callback_query_id: id, text: cutText(text, 200) }, signal);
    return true;
  } catch (error) {
    if (error instanceof TelegramApiError && error.status === 400 && /query is too old|query id is invalid/i.test(error.description)) return false;
    throw error;
  }
}

/** An inline keyboard button that sends back a short reference when pressed. */
export interface PressButton {
  text: string;
  callback_data: string;
}

/**
 * Replaces a message's text (plain text, no parse mode: what it shows may come from logs) and its buttons;
 * "message is not modified" counts as done.
 */
export async function editMessage(bot: TelegramBot, chat: string | number, messageId: number, text: string, buttons: PressButton[][], signal?: AbortSignal): Promise<void> {
  try {
    await callTelegram(bot, 'editMessageText', { chat_id: chat, message_id: messageId, text: cutText(text, 4096), link_preview_options: { is_disabled: true }, reply_markup: { inline_keyboard: buttons } }, signal);
  } catch (error) {
    if (error instanceof TelegramApiError && error.status === 400 && /message is not modified/i.test(error.description)) return;
    throw error;
  }
}

/** Replaces only a message's buttons (its text is not known here); "message is not modified" counts as done. */
export async function editButtons(bot: TelegramBot, chat: string | number, messageId: number, buttons: PressButton[][], signal?: AbortSignal): Promise<void> {
  try {
    await callTelegram(bot, 'editMessageReplyMarkup', { chat_id: chat, message_id: messageId, reply_markup: { inline_keyboard: buttons } }, signal);
  } catch (error) {
    if (error instanceof TelegramApiError && error.status === 400 && /message is not modified/i.test(error.description)) return;
    throw error;
  }
}

/** Sends a plain-text message (no parse mode), optionally as a reply and with buttons; returns its message id. */
export async function sendPlain(bot: TelegramBot, chat: string | number, text: string, options: { replyTo?: number; buttons?: PressButton[][] } = {}, signal?: AbortSignal): Promise<number> {
  const sent = await callTelegram<{ message_id: number }>(
    bot,
    'sendMessage',
    {
      chat_id: chat,
      text: cutText(text, 4096),
      link_preview_options: { is_disabled: true },
      ...(options.replyTo ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } } : {}),
      ...(options.buttons ? { reply_markup: { inline_keyboard: options.buttons } } : {}),
    },
    signal,
  );
  return sent.message_id;
}

/** A person's name as Telegram shows it, for "acknowledged by ..." (plain text: never markup). */
export function displayName(user: TelegramUser | undefined): string {
  if (!user) return 'someone';
  // Names are chosen by their owners: one clean line (no direction overrides, zero-width characters or escapes), cut short.
  const name = user.username ? `@${oneLine(user.username)}` : oneLine([user.first_name, user.last_name].filter(Boolean).join(' '));
  return cutText(name, 64) || String(user.id);
}
