import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';

/** How the fake Telegram answers sendMessage. */
export type TelegramBehaviour = 'ok' | 'rate-limited' | 'blocked';

/** A person or chat of the fake's world. */
export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
}

/** A chat as the fake knows it. */
export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
  first_name?: string;
}

/** A message the bot sent (and may edit), as Telegram keeps it. */
export interface FakeMessage {
  message_id: number;
  chat: FakeChat;
  date: number;
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
  edits: number;
}

/** A local server speaking the Bot API for a one-shot polling bot, with Telegram's checks, limits and odd corners. */
export interface TelegramServer extends HttpRecorder {
  token: string;
  behaviour: TelegramBehaviour;
  /** Messages accepted, with their text as Telegram would show it (entities parsed). */
  sent: { chat_id: unknown; text: string; visible: string; body: Record<string, unknown> }[];
  /** Every message the bot has in each chat (by chat id), for edits and presses. */
  messages: Map<number, FakeMessage[]>;
  /** answerCallbackQuery calls: the query id, the text, and whether it was answered or too old. */
  answers: { id: string; text: string; ok: boolean }[];
  /** editMessageText / editMessageReplyMarkup calls that changed a message. */
  edits: { chat_id: unknown; message_id: number; text?: string; reply_markup?: unknown }[];
  /** getUpdates calls with the offset asked for, how many updates were returned, and the caller (an api_url of `<base>/via-<name>`). */
  polls: { offset?: number; returned: number; via?: string }[];
  /** Chats whose members blocked or kicked the bot: sendMessage answers 403. */
  blockedChats: Set<number>;
  /** Chats Telegram does not know for this bot (a person who never started it, a group it is not in): sendMessage and getChat answer 400 "chat not found". */
  missingChats: Set<number>;
  /** getChat calls, by chat id. */
  chatLookups: unknown[];
  /** Chats over Telegram's per-chat limit (20 messages a minute in a group): sendMessage there answers 429. */
  floodedChats: Set<number>;
  /** getUpdates answers 409 as if a webhook were set (until deleteWebhook), or another poller were running. */
  conflict?: 'webhook' | 'other-poller';
  /** Seconds after which answerCallbackQuery says the query is too old (Telegram's is a few seconds). */
  answerWithinS: number;
  /** Milliseconds answerCallbackQuery and the edit methods wait before answering (a slow Bot API); 0 by default. */
  answerDelayMs: number;
  /** Moves the fake's clock on (TTLs of queued updates, the age of presses) without waiting. */
  advance(seconds: number): void;
  /** Queues a press on a button of a message the bot sent; returns the callback query id. */
  press(from: FakeUser, message: FakeMessage, data?: string): string;
  /** Queues a text message from a person in a chat (a command, or a reply to one of the bot's messages). */
  /** Queues a message; `extra` adds Bot API fields (e.g. forward_origin) to it. */
  say(from: FakeUser, chat: FakeChat, text: string, replyTo?: FakeMessage, extra?: Record<string, unknown>): number;
  /** Queues a raw update of any shape (an update_id is added unless it has one), for tests of malformed updates; returns its update_id. */
  inject(update: Record<string, unknown>): unknown;
  /** Queues a change of the bot's own membership (added to a group, blocked in a private chat ...). */
  membership(chat: FakeChat, from: FakeUser, oldStatus: string, newStatus: string): void;
  /** Upgrades a group to a supergroup: the service messages are queued and the old id answers 400 with migrate_to_chat_id. */
  migrate(chat: FakeChat, newId: number): FakeChat;
  /** The bot's messages in a chat, oldest first. */
  inChat(chatId: number): FakeMessage[];
  /** Updates still queued (not confirmed by an offset, not expired). */
  queued(): number;
  /** The update_id of each update still queued, oldest first. */
  queuedIds(): unknown[];
  /** Forgets every queued update (as if another bot instance had confirmed them): a test starts with an empty queue. */
  clearQueue(): void;
}

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Parses Telegram HTML: returns the visible text, or why Telegram would answer "can't parse entities". */
export function parseTelegramHtml(html: string): { visible: string } | { error: string } {
  let visible = '';
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const char = html[i]!;
    if (char === '<') {
      const tag = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/.exec(html.slice(i));
      if (!tag || !ALLOWED_TAGS.has(tag[2]!)) return { error: `Unsupported start tag "${html.slice(i + 1, i + 10)}" at byte offset ${i}` };
      if (tag[1]) {
        if (open.pop() !== tag[2]) return { error: `Unmatched end tag at byte offset ${i}` };
      } else open.push(tag[2]!);
      i += tag[0].length;
    } else if (char === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!entity) return { error: `Character entity expected at byte offset ${i}` };
      visible += { lt: '<', gt: '>', amp: '&', quot: '"' }[entity[1]!.toLowerCase()] ?? 'x';
      i += entity[0].length;
    } else if (char === '>') {
      return { error: `Unexpected end tag at byte offset ${i}` };
    } else {
      visible += char;
      i++;
    }
  }
  if (open.length) return { error: `Can't find end tag corresponding to start tag "${open.pop()}"` };
  return { visible };
}

/** The bot itself, as my_chat_member updates name it. */
const BOT_USER = { id: 999_000, is_bot: true, first_name: 'alertcron' };

interface Queued {
  update: Record<string, unknown> & { update_id: number };
  queuedAt: number;
  ttlS: number;
}

/**
 * Starts the fake Telegram: token check (401), unknown methods (404), sendMessage with HTML validation, length,
 * button data (1-64 bytes), 429 with retry_after, 403 blocked, 400 with migrate_to_chat_id for an upgraded group;
 * getUpdates with offset confirmation, limit, TTLs (150 s for presses, 24 h for messages) and 409 conflicts;
 * answerCallbackQuery that is "too old" after a few seconds; editMessageText / editMessageReplyMarkup with
 * "message is not modified" and "message to edit not found"; deleteWebhook, getMe, and getChat (400 "chat not found" for missingChats).
 */
export async function startTelegramServer(): Promise<TelegramServer> {
  const token = '123456:TELEGRAM-SECRET-TOKEN';
  let skewS = 0;
  const clock = () => Math.floor(Date.now() / 1000) + skewS;
  let nextUpdateId = 500_001;
  let nextMessageId = 1;
  let nextQueryId = 1;
  const queue: Queued[] = [];
  const queries = new Map<string, number>();
  const migrated = new Map<number, number>();
  const state = {
    token,
    behaviour: 'ok' as TelegramBehaviour,
    sent: [] as TelegramServer['sent'],
    messages: new Map<number, FakeMessage[]>(),
    answers: [] as TelegramServer['answers'],
    edits: [] as TelegramServer['edits'],
    polls: [] as TelegramServer['polls'],
    blockedChats: new Set<number>(),
    floodedChats: new Set<number>(),
    missingChats: new Set<number>(),
    chatLookups: [] as unknown[],
    answerWithinS: 10,
    answerDelayMs: 0,
  };
  let conflict: TelegramServer['conflict'];
  const fail = (code: number, description: string, extra: Record<string, unknown> = {}): Answer => ({ status: code, body: { ok: false, error_code: code, description, ...extra } });
  const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
  const enqueue = (kind: string, payload: unknown, ttlS: number) => {
    queue.push({ update: { update_id: nextUpdateId++, [kind]: payload }, queuedAt: clock(), ttlS });
  };
  const chatOf = (id: number): FakeChat => ({ id, type: id < 0 ? (String(id).startsWith('-100') ? 'supergroup' : 'group') : 'private' });
  const findMessage = (chatId: unknown, messageId: unknown) => state.messages.get(Number(chatId))?.find((m) => m.message_id === Number(messageId));

  const buttonProblem = (markup: unknown): string | undefined => {
    const rows = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
    if (markup === undefined) return undefined;
    if (!Array.isArray(rows)) return "Bad Request: can't parse reply keyboard markup JSON object";
    for (const row of rows) {
      for (const button of row as { text?: string; callback_data?: string }[]) {
        if (!button.text) return 'Bad Request: text buttons are unallowed in the inline keyboard';
        if (button.callback_data !== undefined && (Buffer.byteLength(button.callback_data) < 1 || Buffer.byteLength(button.callback_data) > 64)) return 'Bad Request: BUTTON_DATA_INVALID';
      }
    }
    return undefined;
  };

  const sendMessage = (body: Record<string, unknown>): Answer => {
    if (state.behaviour === 'rate-limited') return fail(429, 'Too Many Requests: retry after 1', { parameters: { retry_after: 1 } });
    const chatId = Number(body.chat_id);
    if (migrated.has(chatId)) return fail(400, 'Bad Request: group chat was upgraded to a supergroup chat', { parameters: { migrate_to_chat_id: migrated.get(chatId) } });
    if (state.behaviour === 'blocked') return fail(403, 'Forbidden: bot was blocked by the user');
    if (state.missingChats.has(chatId)) return fail(400, 'Bad Request: chat not found');
    if (state.floodedChats.has(chatId)) return fail(429, 'Too Many Requests: retry after 3', { parameters: { retry_after: 3 } });
    if (state.blockedChats.has(chatId)) return fail(403, chatId > 0 ? 'Forbidden: bot was blocked by the user' : 'Forbidden: bot was kicked from the supergroup chat');
    const text = String(body.text ?? '');
    const parsed = body.parse_mode === 'HTML' ? parseTelegramHtml(text) : body.parse_mode === undefined ? { visible: text } : { error: `unsupported parse mode ${String(body.parse_mode)}` };
    if ('error' in parsed) return fail(400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.visible.length === 0) return fail(400, 'Bad Request: message text is empty');
    if (parsed.visible.length > 4096) return fail(400, 'Bad Request: message is too long');
    const problem = buttonProblem(body.reply_markup);
    if (problem) return fail(400, problem);
    const message: FakeMessage = { message_id: nextMessageId++, chat: chatOf(chatId), date: clock(), text: parsed.visible, edits: 0, ...(body.reply_markup ? { reply_markup: body.reply_markup as FakeMessage['reply_markup'] } : {}) };
    if (!state.messages.has(chatId)) state.messages.set(chatId, []);
    state.messages.get(chatId)!.push(message);
    state.sent.push({ chat_id: body.chat_id, text, visible: parsed.visible, body });
    return ok({ message_id: message.message_id, chat: message.chat, date: message.date, text: parsed.visible });
  };

  const getUpdates = (body: Record<string, unknown>, via?: string): Answer => {
    if (conflict === 'webhook') return fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    if (conflict === 'other-poller') return fail(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    const now = clock();
    // Expired updates leave the queue whether or not anyone read them (presses after 150 s, messages after 24 h).
    for (let i = queue.length - 1; i >= 0; i--) if (now - queue[i]!.queuedAt > queue[i]!.ttlS) queue.splice(i, 1);
    const offset = typeof body.offset === 'number' ? body.offset : undefined;
    if (offset !== undefined && offset > 0) {
      // An offset confirms every update below it: they are forgotten.
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.update.update_id < offset) queue.splice(i, 1);
    } else if (offset !== undefined && offset < 0) {
      queue.splice(0, Math.max(0, queue.length + offset));
    }
    const limit = Math.min(100, Math.max(1, typeof body.limit === 'number' ? body.limit : 100));
    const allowed = Array.isArray(body.allowed_updates) ? (body.allowed_updates as string[]) : undefined;
    const result = queue.filter((q) => !allowed || allowed.some((kind) => kind in q.update)).slice(0, limit).map((q) => q.update);
    state.polls.push({ ...(offset !== undefined ? { offset } : {}), returned: result.length, ...(via ? { via } : {}) });
    return ok(result);
  };

  const answerCallbackQuery = (body: Record<string, unknown>): Answer => {
    const id = String(body.callback_query_id ?? '');
    const pressedAt = queries.get(id);
    const fresh = pressedAt !== undefined && clock() - pressedAt <= state.answerWithinS;
    state.answers.push({ id, text: String(body.text ?? ''), ok: fresh });
    if (!fresh) return fail(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    queries.delete(id);
    return ok(true);
  };

  const edit = (body: Record<string, unknown>, withText: boolean): Answer => {
    const message = findMessage(body.chat_id, body.message_id);
    if (!message) return fail(400, 'Bad Request: message to edit not found');
    const problem = buttonProblem(body.reply_markup);
    if (problem) return fail(400, problem);
    let text = message.text;
    if (withText) {
      const parsed = body.parse_mode === 'HTML' ? parseTelegramHtml(String(body.text ?? '')) : { visible: String(body.text ?? '') };
      if ('error' in parsed) return fail(400, `Bad Request: can't parse entities: ${parsed.error}`);
      if (!parsed.visible.length) return fail(400, 'Bad Request: message text is empty');
      if (parsed.visible.length > 4096) return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
      text = parsed.visible;
    }
    const markup = body.reply_markup as FakeMessage['reply_markup'];
    const sameMarkup = JSON.stringify(markup?.inline_keyboard?.length ? markup : undefined) === JSON.stringify(message.reply_markup?.inline_keyboard?.length ? message.reply_markup : undefined);
    if (text === message.text && sameMarkup) {
      return fail(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    message.text = text;
    if (markup?.inline_keyboard?.length) message.reply_markup = markup;
    else delete message.reply_markup;
    message.edits++;
    state.edits.push({ chat_id: body.chat_id, message_id: Number(body.message_id), ...(withText ? { text } : {}), ...(markup ? { reply_markup: markup } : {}) });
    return ok({ message_id: message.message_id, chat: message.chat, date: message.date, text: message.text });
  };

  const slow = (answer: Answer): Answer => (state.answerDelayMs && answer !== 'hang' ? { ...answer, delayMs: state.answerDelayMs } : answer);
  const recorder = await startHttpRecorder((request) => {
    // An api_url of `<base>/via-<name>` names the caller (one host of several sharing the bot), nothing else changes.
    const match = /^(?:\/via-([\w-]+))?\/bot([^/]+)\/(\w+)$/.exec(request.path);
    if (!match || match[2] !== token) return fail(401, 'Unauthorized');
    const via = match[1];
    let body: Record<string, unknown> = {};
    try {
      body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    } catch {
      return fail(400, 'Bad Request: invalid JSON');
    }
    // Method names are case-insensitive.
    switch (match[3]!.toLowerCase()) {
      case 'sendmessage':
        return sendMessage(body);
      case 'getupdates':
        return getUpdates(body, via);
      case 'getchat':
        state.chatLookups.push(body.chat_id);
        return state.missingChats.has(Number(body.chat_id)) ? fail(400, 'Bad Request: chat not found') : ok(chatOf(Number(body.chat_id)));
      case 'answercallbackquery':
        return slow(answerCallbackQuery(body));
      case 'editmessagetext':
        return slow(edit(body, true));
      case 'editmessagereplymarkup':
        return slow(edit(body, false));
      case 'deletewebhook':
        if (conflict === 'webhook') conflict = undefined;
        return ok(true);
      case 'getme':
        return ok({ ...BOT_USER, username: 'alertcron_test_bot', can_join_groups: true });
      default:
        return fail(404, 'Not Found');
    }
  });

  const server = recorder as TelegramServer;
  Object.assign(server, {
    token,
    sent: state.sent,
    messages: state.messages,
    answers: state.answers,
    edits: state.edits,
    polls: state.polls,
    blockedChats: state.blockedChats,
    floodedChats: state.floodedChats,
    missingChats: state.missingChats,
    chatLookups: state.chatLookups,
    advance(seconds: number) {
      skewS += seconds;
    },
    press(from: FakeUser, message: FakeMessage, data?: string) {
      const id = `${7_000_000 + nextQueryId++}`;
      queries.set(id, clock());
      const callbackData = data ?? message.reply_markup?.inline_keyboard[0]?.[0]?.callback_data;
      enqueue('callback_query', { id, chat_instance: `-${message.chat.id}77`, from: { ...from, is_bot: false }, message: { message_id: message.message_id, date: message.date, chat: message.chat, text: message.text }, ...(callbackData !== undefined ? { data: callbackData } : {}) }, 150);
      return id;
    },
    say(from: FakeUser, chat: FakeChat, text: string, replyTo?: FakeMessage, extra: Record<string, unknown> = {}) {
      const id = nextMessageId++;
      const command = /^\/\w+/.exec(text);
      enqueue(
        'message',
        {
          message_id: id,
          date: clock(),
          chat,
          from: { ...from, is_bot: false },
          text,
          ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
          ...(replyTo ? { reply_to_message: { message_id: replyTo.message_id, date: replyTo.date, chat: replyTo.chat, text: replyTo.text, from: BOT_USER } } : {}),
          ...extra,
        },
        86_400,
      );
      return id;
    },
    inject(update: Record<string, unknown>) {
      const withId = 'update_id' in update ? update : { update_id: nextUpdateId++, ...update };
      queue.push({ update: withId as Queued['update'], queuedAt: clock(), ttlS: 86_400 });
      return withId.update_id;
    },
    membership(chat: FakeChat, from: FakeUser, oldStatus: string, newStatus: string) {
      enqueue('my_chat_member', { chat, from: { ...from, is_bot: false }, date: clock(), old_chat_member: { status: oldStatus, user: BOT_USER }, new_chat_member: { status: newStatus, user: BOT_USER } }, 86_400);
    },
    migrate(chat: FakeChat, newId: number) {
      const upgraded: FakeChat = { id: newId, type: 'supergroup', ...(chat.title ? { title: chat.title } : {}) };
      migrated.set(chat.id, newId);
      state.messages.set(newId, state.messages.get(chat.id) ?? []);
      enqueue('message', { message_id: nextMessageId++, date: clock(), chat, migrate_to_chat_id: newId }, 86_400);
      enqueue('message', { message_id: nextMessageId++, date: clock(), chat: upgraded, migrate_from_chat_id: chat.id }, 86_400);
      return upgraded;
    },
    inChat: (chatId: number) => state.messages.get(chatId) ?? [],
    queued: () => queue.length,
    queuedIds: () => queue.map((q) => q.update.update_id),
    clearQueue: () => void queue.splice(0, queue.length),
  });
  Object.defineProperty(server, 'behaviour', { get: () => state.behaviour, set: (value: TelegramBehaviour) => (state.behaviour = value) });
  Object.defineProperty(server, 'conflict', { get: () => conflict, set: (value: TelegramServer['conflict']) => (conflict = value) });
  Object.defineProperty(server, 'answerDelayMs', { get: () => state.answerDelayMs, set: (value: number) => (state.answerDelayMs = value) });
  Object.defineProperty(server, 'answerWithinS', { get: () => state.answerWithinS, set: (value: number) => (state.answerWithinS = value) });
  return server;
}
