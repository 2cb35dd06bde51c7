import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '../model/audit.js';
import { chatsOf, type ChatEntry, type StateData } from '../model/state.js';
import { isFiring } from '../policy/decide.js';
import { isActive } from '../policy/silences.js';
import type { TelegramChannelConfig } from './config.js';
import { displayName, sendPlain, type TelegramChat, type TelegramUser } from './telegramApi.js';
import { inertForChat as inert } from './text.js';
import { isChatId, notAChatId } from './telegramChatId.js';
import { admitRequest, MAX_WAITING } from './telegramWaiting.js';
import { cutText, oneLine } from '../util/text.js';

/** The most chats one list message shows (a Telegram message holds 4,096 characters). */
const LIST_MOST = 30;

/** The administrator's commands, as /help lists them. */
export const ADMIN_HELP = [
  '/accepted - the allowed chats',
  '/waiting - the chats waiting for an answer',
  '/accept<id> - allow a chat (e.g. /accept-1001234)',
  '/deny<id> - take a chat off the list (or ignore its request)',
  '/ban<id> - ignore a chat entirely',
  '/unban<id> - stop ignoring it',
  '/banned - the banned chats',
  '/status - a short alertcron status',
  '/ping - is the bot reading?',
  '/help - this list',
].join('\n');

/** What the administrator flow did while reading: audit lines, and the messages to send (plain text, maybe with buttons). */
export interface AdminWork {
  audit: AuditEntry[];
  send: { chat: string; text: string; buttons?: { text: string; callback_data: string }[][]; replyTo?: number }[];
  /** Chats just accepted, to be confirmed with Telegram before the administrator is answered. */
  verify?: string[];
}

/** A chat's name for lists and audit: its title, or the person's name (plain text, cut short). */
export function chatTitle(chat: TelegramChat): string {
  return cutText(oneLine(chat.title ?? [chat.first_name, chat.username ? `@${chat.username}` : ''].filter(Boolean).join(' ')), 64, '') || String(chat.id);
}

/** Whether notices go to this chat and people in it may act (the administrator's chat and chat_id always may). */
export function isAllowedChat(data: StateData, name: string, config: TelegramChannelConfig, chat: string): boolean {
  if (config.chat_id !== undefined && String(config.chat_id) === chat) return true;
  if (config.admin_chat_id === chat) return true;
  return !!config.admin_chat_id && !!chatsOf(data, name).allowed[chat];
}

/**
 * A chat asks to receive notices (a private /start, or the bot added to a group): the administrator gets Allow /
 * Ignore / Block buttons whose data is a short reference kept with the request. A chat already allowed, asked or
 * banned changes nothing, nor does an id that cannot be a chat. The waiting list is bounded and the messages per
 * run too (telegramWaiting.ts): a request beyond them is kept or turned away, and counted for one summary.
 */
export function requestChat(data: StateData, name: string, config: TelegramChannelConfig, chat: TelegramChat, from: TelegramUser | undefined, now: number, work: AdminWork): void {
  const id = String(chat.id);
  const chats = chatsOf(data, name);
  if (!config.admin_chat_id || !isChatId(id) || chats.allowed[id] || chats.banned[id] || chats.requested[id] || isAllowedChat(data, name, config, id)) return;
  const admitted = admitRequest(chats, now);
  if (admitted === 'full') return;
  const entry: ChatEntry = { id, title: chatTitle(chat), kind: chat.type, at: now, by: displayName(from), ref: randomBytes(6).toString('base64url') };
  chats.requested[id] = entry;
  work.audit.push({ event: 'chat_requested', chat: id, title: entry.title, kind: entry.kind, by: entry.by });
  if (admitted === 'count') return;
  work.send.push({
    chat: config.admin_chat_id,
    text: `New ${entry.kind} chat ${inert(entry.title)} (${id}), from ${inert(entry.by ?? '')}: send it alerts?`,
    buttons: [[{ text: 'Allow', callback_data: `c:${entry.ref}:a` }, { text: 'Ignore', callback_data: `c:${entry.ref}:i` }, { text: 'Block', callback_data: `c:${entry.ref}:b` }]],
  });
}

/** Applies the administrator's Allow / Ignore / Block press on a request; returns what to say, or undefined for an unknown reference. */
export function decideRequest(data: StateData, name: string, ref: string, choice: string, by: string, now: number, work: AdminWork, config?: Pick<TelegramChannelConfig, 'admin_chat_id' | 'chat_id'>): string | undefined {
  const chats = chatsOf(data, name);
  const entry = Object.values(chats.requested).find((e) => e.ref === ref);
  if (!entry) return undefined;
  const verb = choice === 'a' ? 'accept' : choice === 'b' ? 'ban' : 'deny';
  return applyAdmin(data, name, verb, entry.id, by, now, work, config);
}

/** Allows, denies, bans or unbans a chat by id (an id that cannot be a chat is refused); one line for the administrator. An accepted chat is left to confirm in `work.verify`. */
export function applyAdmin(data: StateData, name: string, verb: string, id: string, by: string, now: number, work: AdminWork, config?: Pick<TelegramChannelConfig, 'admin_chat_id' | 'chat_id'>): string {
  if (!isChatId(id)) return notAChatId(verb, id);
  const chats = chatsOf(data, name);
  // The administrator's own chat and chat_id are set in alertcron.yaml: a ban or deny would cut the bot off from them.
  if ((verb === 'ban' || verb === 'deny') && config && (id === config.admin_chat_id || id === String(config.chat_id ?? ''))) return `${id} is the ${id === config.admin_chat_id ? 'admin chat' : 'chat_id'} of alertcron.yaml: change it there, not by a ${verb}`;
  const known = chats.requested[id] ?? chats.allowed[id] ?? chats.banned[id] ?? { id, title: id, kind: Number(id) > 0 ? 'private' : 'group', at: now };
  const { ref: _ref, ...entry } = known;
  delete chats.requested[id];
  let said: string;
  if (verb === 'accept') {
    delete chats.banned[id];
    chats.allowed[id] = { ...entry, at: now, by };
    (work.verify ??= []).push(id);
    said = `allowed ${inert(entry.title)} (${id}): it gets alerts from now on`;
  } else if (verb === 'deny') {
    delete chats.allowed[id];
    said = `${inert(entry.title)} (${id}) gets no alerts`;
  } else if (verb === 'ban') {
    delete chats.allowed[id];
    chats.banned[id] = { ...entry, at: now, by };
    said = `banned ${inert(entry.title)} (${id}): everything from it is ignored`;
  } else {
    delete chats.banned[id];
    said = `unbanned ${inert(entry.title)} (${id})`;
  }
  work.audit.push({ event: 'chat_allow_list', change: verb, chat: id, title: entry.title, by });
  return said;
}

/** Answers an administrator's command (in the administrator's chat); undefined when the text is not one. */
export function adminCommand(data: StateData, name: string, text: string, by: string, now: number, work: AdminWork, config?: Pick<TelegramChannelConfig, 'admin_chat_id' | 'chat_id'>): string | undefined {
  const command = /^\/([a-z]+)(?:@\w+)?\s*(\S+)?\s*$/i.exec(text.trim());
  if (!command) return undefined;
  const [, word, id] = command as unknown as [string, string, string | undefined];
  const chats = chatsOf(data, name);
  const list = (entries: Record<string, ChatEntry>, most = LIST_MOST) => {
    const all = Object.values(entries);
    const lines = all.slice(0, most).map((e) => `${e.id}  ${inert(e.title)} (${e.kind}, by ${JSON.stringify(inert(e.by ?? '?'))})`);
    return [...lines, ...(all.length > most ? [`... and ${all.length - most} more`] : [])].join('\n') || 'none';
  };
  switch (word.toLowerCase()) {
    case 'accepted':
      return `allowed chats:\n${list(chats.allowed)}${Object.keys(chats.requested).length ? `\nwaiting (/waiting lists them all):\n${list(chats.requested, 10)}` : ''}`;
    case 'banned':
      return `banned chats:\n${list(chats.banned)}`;
    case 'waiting':
      return `waiting chats (${Object.keys(chats.requested).length} of at most ${MAX_WAITING}; /accept<id> or /deny<id>):\n${list(chats.requested)}`;
    case 'accept':
    case 'deny':
    case 'ban':
    case 'unban':
      return id ? applyAdmin(data, name, word.toLowerCase(), id, by, now, work, config) : `say which chat: /${word.toLowerCase()}<id>, e.g. /${word.toLowerCase()}-1001234`;
    case 'status':
      return shortStatus(data, now);
    case 'ping':
      return `pong (${new Date(now).toISOString().slice(0, 16)}Z)`;
    case 'help':
    case 'start':
      return ADMIN_HELP;
    default:
      return undefined;
  }
}

/** A few lines of `alertcron status`: the last run, firing keys, pending deliveries, active silences. */
export function shortStatus(data: StateData, now: number): string {
  const firing = Object.entries(data.alerts).flatMap(([alert, state]) => Object.entries(state.keys).filter(([, k]) => isFiring(k)).map(([key, k]) => inert(oneLine(`${alert} ${JSON.stringify(key)}${k.acknowledged ? ' (acked)' : ''}`))));
  const last = data.lastRun ? `last run ${new Date(data.lastRun.finishedAt).toISOString().slice(0, 16)}Z, exit ${data.lastRun.exitCode}` : 'no run yet';
  const silences = data.silences.filter((s) => isActive(s, now)).length;
  return [last, `firing: ${firing.length}${firing.length ? `\n  ${firing.slice(0, 10).join('\n  ')}` : ''}`, `pending deliveries: ${data.pending.length}`, `active silences: ${silences}`].join('\n');
}

/** Sends the administrator flow's messages (plain text); returns warnings for those that failed. */
export async function sendAdminWork(config: TelegramChannelConfig, work: AdminWork, signal: AbortSignal): Promise<string[]> {
  const warnings: string[] = [];
  for (const message of work.send) {
    try {
      await sendPlain(config, message.chat, message.text, { ...(message.buttons ? { buttons: message.buttons } : {}), ...(message.replyTo ? { replyTo: message.replyTo } : {}) }, signal);
    } catch (error) {
      warnings.push(`could not send to Telegram chat ${message.chat}: ${(error as Error).message}`);
    }
  }
  return warnings;
}
