import { requestFor, type NoticeAction } from '../model/operation.js';
import { chatsOf, type PendingDelivery, type SentNotice, type StateData } from '../model/state.js';
import { parseDuration } from '../util/duration.js';
import type { TelegramChannelConfig } from './config.js';
import { actionButtons, actionFooter, moveChat } from './telegram.js';
import { adminCommand, chatTitle, decideRequest, isAllowedChat, requestChat, sendAdminWork, type AdminWork } from './telegramAdmin.js';
import { confirmAccepted } from './telegramChatCheck.js';
import { expireRequests, requestSummary } from './telegramWaiting.js';
import { answerPress, displayName, TelegramApiError, editButtons, editMessage, readUpdates, sendPlain, type TelegramMessage, type TelegramUpdate, type TelegramUser } from './telegramApi.js';
import { inertForChat } from './text.js';
import type { ChatAction, ChatAnswers, ChatMessage, ChatOutcome, InboxContext, InboxRead, InboxReader } from './types.js';
import { cleanText, cutText, oneLine } from '../util/text.js';
import { findReceipt } from '../state/receipts.js';

/** How a chat action is answered: the press to answer, the notice message to edit, the command to reply to. */
interface TelegramReply {
  chat: string;
  press?: string;
  notice?: { messageId: number; text?: string };
  replyTo?: number;
  label: string;
  ref?: string;
}

/** The polite answer to anyone who may not act here. */
const REFUSAL = 'Sorry, you are not allowed to act on alerts here. Ask the alertcron administrator.';

/** The messages a notice is in: each chat it was sent to, with the message id there (a pending one: the chats it already reached). */
export function messagesOf(notice: SentNotice | PendingDelivery): { chat: string; id: string }[] {
  const receipt = 'receipt' in notice ? notice.receipt : notice.partial;
  if (!receipt) return [];
  const first = receipt.chat !== undefined && receipt.id !== undefined ? [{ chat: receipt.chat, id: receipt.id }] : [];
  return [...first, ...(receipt.messages ?? [])];
}

/**
 * A notice of this channel by its reference, sent or still pending, as seen from one chat: only one that was sent
 * to that chat (a reference read elsewhere, or another channel's, acts on nothing).
 */
function noticeByRef(data: StateData, channel: string, ref: string, chat: string): (SentNotice | PendingDelivery) | undefined {
  const ofChat = (n: SentNotice | PendingDelivery) => n.channel === channel && n.ref === ref && messagesOf(n).some((m) => m.chat === chat);
  return findReceipt(data, ref, ofChat) ?? data.pending.find(ofChat);
}

/** The sent notice a message of this channel is (a reply names the message it answers). */
function noticeByMessage(data: StateData, channel: string, chat: string, messageId: number): SentNotice | undefined {
  const id = String(messageId);
  return findReceipt(data, id, (s) => s.channel === channel && messagesOf(s).some((m) => m.chat === chat && m.id === id));
}

/** The person as the state and audit name them: their Telegram name and id. */
function personOf(user: TelegramUser | undefined): string {
  return user ? `${displayName(user)} (telegram ${user.id})` : 'someone';
}

/** The time of an action as the edited notice says it. */
function hhmm(now: number): string {
  return `${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A Telegram bot's inbox: one getUpdates per run from the stored offset; button presses, text commands
 * (`/ack <ref>`, `/silence <ref> 2h`) and replies to a notice (`ack`, `silence 2h`) become chat actions when
 * they come from an allowed chat and person; new chats go to the administrator; everything else is refused
 * politely and audited. Private plain-text messages are handed on for other consumers of the run.
 */
export function createTelegramInbox(name: string, config: TelegramChannelConfig): InboxReader {
  // allowed_users limits who may act on alerts; the administrator's chat is the administrator, whoever is listed.
  const allowedUser = (user: TelegramUser | undefined) => !config.allowed_users || (!!user && config.allowed_users.includes(user.id));
  // The administrator: someone in the admin chat, and one of admin_users when they are set (required for a group admin chat).
  const isAdmin = (chat: string, user: TelegramUser | undefined) => chat === config.admin_chat_id && (!config.admin_users || (!!user && config.admin_users.includes(user.id)));
  return {
    async read(cursor, signal, { data, now }: InboxContext): Promise<InboxRead> {
      const { updates, skipped, offset, more } = await readUpdates(config, typeof cursor === 'number' ? cursor : undefined, signal);
      const read: InboxRead & { audit: NonNullable<InboxRead['audit']>; messages: ChatMessage[] } = { actions: [], cursor: offset, more, audit: [], messages: [] };
      const work: AdminWork = { audit: read.audit, send: [] };
      const presses: { id: string; text: string }[] = [];
      const refuse = (update: TelegramUpdate, chat: string, user: TelegramUser | undefined, what: string, why: string) =>
        read.audit.push({ event: 'chat_refused', update: update.update_id, chat, by: personOf(user), what, why });
      const banned = (chat: string) => !!chatsOf(data, name).banned[chat];
      expireRequests(chatsOf(data, name), now, read.audit);
      for (const bad of skipped) read.audit.push({ event: 'chat_update_skipped', ...(bad.updateId !== undefined ? { update: bad.updateId } : {}), why: bad.why });

      for (const update of updates) {
        try {
          await readUpdate(update);
        } catch (error) {
          // One update alertcron cannot read is skipped and audited; the rest of the page still counts.
          read.audit.push({ event: 'chat_update_skipped', update: update.update_id, why: (error as Error).message });
        }
      }
      const summary = !more && config.admin_chat_id ? requestSummary(chatsOf(data, name), now, read.audit) : undefined;
      if (summary) work.send.push({ chat: config.admin_chat_id!, text: summary });
      const warnings = await sendAdminWork(config, work, signal);
      for (const press of presses) {
        try {
          await answerPress(config, press.id, press.text, signal);
        } catch (error) {
          warnings.push(`channel ${name}: could not answer a press: ${(error as Error).message}`);
        }
      }
      read.warnings = warnings.map((w) => (w.startsWith('channel ') ? w : `channel ${name}: ${w}`));
      return read;

      async function readUpdate(update: TelegramUpdate): Promise<void> {
        const press = update.callback_query;
        if (press) {
          const chat = String(press.message?.chat.id ?? '');
          if (banned(chat)) return;
          const [kind, ref, choice] = String(press.data ?? '').split(':');
          if (kind === 'c' && ref && choice) {
            // The administrator's Allow / Ignore / Block.
            if (!isAdmin(chat, press.from)) {
              refuse(update, chat, press.from, 'allow-list button', 'not the administrator');
              presses.push({ id: press.id, text: REFUSAL });
              return;
            }
            const said = (await confirmAccepted(data, name, config, work, decideRequest(data, name, ref, choice, personOf(press.from), now, work, config), signal)) ?? 'that request is no longer open';
            presses.push({ id: press.id, text: said });
            if (press.message) work.send.push({ chat, text: said, replyTo: press.message.message_id });
            return;
          }
          // A press counts only on the notice's own message in this chat (button data alone proves nothing).
          const pressed = press.message ? String(press.message.message_id) : undefined;
          const found = kind ? noticeByRef(data, name, kind, chat) : undefined;
          const notice = found && messagesOf(found).some((m) => m.chat === chat && m.id === pressed) ? found : undefined;
          const action = notice?.actions?.find((a) => a.name === ref);
          if (!isAllowedChat(data, name, config, chat) || !allowedUser(press.from)) {
            refuse(update, chat, press.from, action ? `${action.name} ${notice!.alert}` : 'a button', isAllowedChat(data, name, config, chat) ? 'person not allowed' : 'chat not allowed');
            presses.push({ id: press.id, text: REFUSAL });
            return;
          }
          if (!notice || !action) {
            refuse(update, chat, press.from, 'a button', 'unknown or expired notice reference');
            presses.push({ id: press.id, text: 'This notice is no longer known to alertcron (see alertcron status).' });
            return;
          }
          read.actions.push(chatAction(name, update, notice, action, chat, press.from, { chat, press: press.id, ...(press.message ? { notice: { messageId: press.message.message_id, text: press.message.text } } : {}), label: action.label, ref: notice.ref }));
          return;
        }
        const member = update.my_chat_member;
        if (member) {
          const chat = String(member.chat.id);
          if (banned(chat)) return;
          const joined = ['member', 'administrator', 'creator'].includes(member.new_chat_member.status) && !['member', 'administrator', 'creator'].includes(member.old_chat_member.status);
          const left = ['left', 'kicked'].includes(member.new_chat_member.status);
          if (joined && member.chat.type !== 'private') requestChat(data, name, config, member.chat, member.from, now, work);
          if (left && chatsOf(data, name).allowed[chat]) {
            delete chatsOf(data, name).allowed[chat];
            read.audit.push({ event: 'chat_allow_list', change: 'left', chat, title: chatTitle(member.chat), by: personOf(member.from) });
          }
          return;
        }
        const message = update.message;
        if (!message) return;
        const chat = String(message.chat.id);
        if (message.migrate_to_chat_id !== undefined) {
          if (moveChat(data, name, chat, String(message.migrate_to_chat_id))) read.audit.push({ event: 'chat_migrated', chat, to: String(message.migrate_to_chat_id) });
          return;
        }
        if (banned(chat) || message.text === undefined) return;
        await readText(update, message, chat);
      }

      async function readText(update: TelegramUpdate, message: TelegramMessage, chat: string): Promise<void> {
        const text = message.text!.trim();
        const isPrivate = message.chat.type === 'private';
        if (isAdmin(chat, message.from)) {
          const said = await confirmAccepted(data, name, config, work, adminCommand(data, name, text, personOf(message.from), now, work, config), signal);
          if (said !== undefined) {
            work.send.push({ chat, text: said, replyTo: message.message_id });
            return;
          }
        }
        if (isPrivate && /^\/start\b/.test(text) && !isAllowedChat(data, name, config, chat)) {
          requestChat(data, name, config, message.chat, message.from, now, work);
          return;
        }
        // Only the person's own words answer a question: a forwarded message, one written through an inline bot or by a bot is not handed on.
        const ownWords = !message.from?.is_bot && !message.via_bot && message.forward_origin === undefined && message.forward_date === undefined && message.forward_from === undefined && message.forward_from_chat === undefined && message.forward_sender_name === undefined;
        const handOn = () => ownWords && read.messages.push({ channel: name, user: String(message.from?.id ?? ''), chat, text: message.text!, date: message.date, messageId: String(message.message_id), ...(message.reply_to_message ? { replyTo: String(message.reply_to_message.message_id) } : {}) });
        const parsed = parseCommand(text, message);
        if (!parsed) {
          if (isPrivate && !text.startsWith('/')) handOn();
          return;
        }
        const notice = parsed.ref ? noticeByRef(data, name, parsed.ref, chat) : noticeByMessage(data, name, chat, message.reply_to_message!.message_id);
        // A one-word reply to a message that is no notice (e.g. "yes" to an ask alert's question) is a plain message.
        if (!notice && !parsed.ref && isPrivate && !text.startsWith('/')) {
          handOn();
          return;
        }
        if (!isAllowedChat(data, name, config, chat)) {
          // Nothing is sent to a chat the administrator did not allow: the refusal is only audited.
          refuse(update, chat, message.from, parsed.word, 'chat not allowed');
          return;
        }
        if (!allowedUser(message.from)) {
          refuse(update, chat, message.from, parsed.word, 'person not allowed');
          work.send.push({ chat, text: REFUSAL, replyTo: message.message_id });
          return;
        }
        const action = notice?.actions?.find((a) => a.name === parsed.word);
        if (!notice || !action) {
          const offers = notice?.actions?.map((a) => a.name).join(', ');
          work.send.push({ chat, text: notice ? `This notice offers: ${offers || 'nothing any more'}.` : 'No notice with that reference (it may be older than state.prune_after).', replyTo: message.message_id });
          refuse(update, chat, message.from, parsed.word, notice ? 'not offered by the notice' : 'unknown notice reference');
          return;
        }
        const reply: TelegramReply = { chat, replyTo: message.message_id, label: action.label, ref: notice.ref, ...(message.reply_to_message ? { notice: { messageId: message.reply_to_message.message_id, text: message.reply_to_message.text } } : {}) };
        const noticeMessage = !reply.notice ? messagesOf(notice).find((m) => m.chat === chat) : undefined;
        if (noticeMessage?.id) reply.notice = { messageId: Number(noticeMessage.id) };
        read.actions.push(chatAction(name, update, notice, action, chat, message.from, reply, parsed.forMs));
      }
    },

    async respond(outcomes: ChatOutcome[], signal: AbortSignal, { now }: InboxContext): Promise<ChatAnswers> {
      const answers: ChatAnswers = { warnings: [], owed: [] };
      for (const outcome of outcomes) {
        const reply = outcome.action.reply as TelegramReply | undefined;
        if (!reply) continue;
        if (signal.aborted) {
          answers.owed.push(outcome.action.id);
          continue;
        }
        const by = inertForChat(oneLine(outcome.action.request.by.replace(/ \(telegram \d+\)$/, '')));
        const said = inertForChat(cleanText(outcome.message));
        const status = outcome.ok ? `✔ ${reply.label}: ${by}, ${hhmm(outcome.at ?? now)}. ${said}` : `✖ ${reply.label} by ${by} failed: ${said}`;
        try {
          // Confirmed once the press is answered, a reply is sent, or the notice shows the status; a press answered too late is confirmed by a message.
          let told = reply.press ? await answerPress(config, reply.press, status, signal) : false;
          if (reply.replyTo) told = !!(await sendPlain(config, reply.chat, status, { replyTo: reply.replyTo }, signal));
          if (reply.notice && (reply.notice.text !== undefined || outcome.rendered)) {
            await editMessage(config, reply.chat, reply.notice.messageId, editedText(reply, outcome, status), buttonsAfter(reply, outcome), signal);
            told = true;
          } else if (reply.notice) await editButtons(config, reply.chat, reply.notice.messageId, buttonsAfter(reply, outcome), signal);
          if (!told && reply.chat) await sendPlain(config, reply.chat, status, reply.notice ? { replyTo: reply.notice.messageId } : {}, signal);
        } catch (error) {
          // A refusal (the message is gone, the bot was removed) will not change: only a failure for now keeps the answer owed.
          const final = error instanceof TelegramApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
          if (!final) answers.owed.push(outcome.action.id);
          answers.warnings.push(`channel ${name}: could not answer in chat ${reply.chat}${final ? '' : ' (tried again next run)'}: ${(error as Error).message}`);
        }
      }
      return answers;
    },
  };
}

/** The chat action of a press or command on a notice, with an id unique per channel (`tg:<channel>:<update_id>`) so it is applied once; old unscoped ids simply expire. */
function chatAction(channel: string, update: TelegramUpdate, notice: SentNotice | PendingDelivery, action: NoticeAction, chat: string, user: TelegramUser | undefined, reply: TelegramReply, forMs?: number): ChatAction {
  const request = requestFor(action, notice, personOf(user), `Telegram chat ${chat}`, forMs);
  return { id: `tg:${channel}:${update.update_id}`, request, chat, notice: notice.id, action: action.name, reply };
}

/** A text command on a notice: `/ack <ref> [2h]`, or a reply to the notice `ack` / `silence 2h`; undefined for other text. */
export function parseCommand(text: string, message: Pick<TelegramMessage, 'reply_to_message'>): { word: string; ref?: string; forMs?: number } | undefined {
  const command = /^\/([a-z][a-z0-9_]*)(?:@\w+)?\s+([A-Za-z0-9_-]{8})(?:\s+(\d+[smhdw]))?\s*$/.exec(text);
  if (command) return { word: command[1]!, ref: command[2]!, ...(command[3] ? { forMs: parseDuration(command[3], Infinity) } : {}) };
  if (!message.reply_to_message) return undefined;
  const reply = /^\/?([a-z][a-z0-9_]*)(?:@\w+)?(?:\s+(\d+[smhdw]))?\s*$/i.exec(text);
  return reply ? { word: reply[1]!.toLowerCase(), ...(reply[2] ? { forMs: parseDuration(reply[2], Infinity) } : {}) } : undefined;
}

/** The notice's text after an action: re-rendered (Refresh) or as it was, without the old how-to line, plus who did what when. */
function editedText(reply: TelegramReply, outcome: ChatOutcome, status: string): string {
  const before = outcome.rendered ? inertForChat(cleanText(`${outcome.rendered.title}\n${outcome.rendered.message}`)) : cleanText(reply.notice?.text ?? '');
  const body = before
    .split('\n')
    .filter((line) => !(reply.ref && line.startsWith(`ref ${reply.ref}:`)))
    .join('\n')
    .trimEnd();
  const offers = outcome.offers ?? [];
  const footer = reply.ref && offers.length ? `\n${actionFooter(reply.ref, offers)}` : '';
  const tail = `\n\n${status}${footer}`;
  return `${cutText(body, 4096 - tail.length)}${tail}`;
}

/** The buttons after an action: what the notice offers now. */
function buttonsAfter(reply: TelegramReply, outcome: ChatOutcome) {
  return actionButtons(reply.ref, outcome.offers ?? []);
}
