import { requestFor, type NoticeAction } from '../model/operation.js';
import type { SentNotice } from '../model/state.js';
import { parseDuration } from '../util/duration.js';
import { cleanText, oneLine } from '../util/text.js';
import type { SlackAppChannelConfig } from './config.js';
import { fallbackText } from './slack.js';
import { postMessage, readHistory, readReplies, SlackApiError } from './slackApi.js';
import type { ChatAction, ChatAnswers, ChatOutcome, InboxContext, InboxRead, InboxReader } from './types.js';
import { plainCopy, plainMap } from '../util/plainMap.js';
import { recentReceipts } from '../state/receipts.js';

/**
 * What a Slack app remembers between runs per open notice (by its ts): the reactions already taken, the last
 * reply read, and how many replies the thread had then (counting the bot's own): a thread whose reply_count
 * did not grow costs no replies call.
 */
interface SeenNotice {
  reactions: string[];
  lastReply?: string;
  replies?: number;
}
interface SlackCursor {
  seen: Record<string, SeenNotice>;
}

/** Where the confirmation of an action goes: the notice's thread (and its cursor entry, which counts the bot's reply). */
interface SlackReply {
  thread: string;
  label: string;
  seen: SeenNotice;
}

/** A thread reply that asks for an action: `ack`, `promote`, `silence 2h`, `ignore 30m`. */
export function parseSlackReply(text: string): { word: string; forMs?: number } | undefined {
  const match = /^\s*([a-z][a-z0-9_]*)(?:\s+(\d+[smhdw]))?\s*[.!]?\s*$/i.exec(text);
  return match ? { word: match[1]!.toLowerCase(), ...(match[2] ? { forMs: parseDuration(match[2], Infinity) } : {}) } : undefined;
}

/** Someone as the state and audit name them (plain text: never a <@mention>; an id of another shape is shown as one clean line). */
function personOf(user: string): string {
  return `slack user ${/^[A-Z0-9]{1,32}$/.test(user) ? user : JSON.stringify(oneLine(user, 40))}`;
}

/**
 * A Slack app's inbox: the notices still open (sent less than watch_for ago, with actions) are read with one
 * conversations.history from the oldest of them (reactions come inline) and one conversations.replies per thread
 * with new replies. Each reaction (per person) and each reply is taken once; an allowed person's becomes a chat
 * action, anyone else's a polite refusal in the thread and an audit record.
 */
export function createSlackAppInbox(name: string, config: SlackAppChannelConfig): InboxReader {
  const allowedUser = (user: string | undefined) => !!user && (!config.allowed_users || config.allowed_users.includes(user));
  const actionOfReaction = (actions: readonly NoticeAction[], reaction: string) => actions.find((a) => config.reactions[a.name] === reaction);
  return {
    async read(cursor, signal, { data, now }: InboxContext): Promise<InboxRead> {
      const previous = plainCopy<SeenNotice>((cursor as SlackCursor | undefined)?.seen);
      const open = recentReceipts(data, now - config.watch_for).filter((s) => s.channel === name && (s.receipt.chat === undefined || s.receipt.chat === config.channel) && s.receipt.id && s.actions !== undefined && now - s.at <= config.watch_for);
      const seen: SlackCursor['seen'] = plainMap();
      for (const notice of open) seen[notice.receipt.id!] = previous[notice.receipt.id!] ?? { reactions: [] };
      const read: InboxRead & { audit: NonNullable<InboxRead['audit']> } = { actions: [], cursor: { seen }, audit: [] };
      if (!open.length) return read;
      const oldest = open.map((n) => n.receipt.id!).sort((a, b) => Number(a) - Number(b))[0]!;
      const { messages, complete, skipped } = await readHistory(config, config.channel, oldest, signal);
      const byTs = new Map(messages.map((m) => [m.ts, m]));
      const unread = complete ? 0 : open.filter((n) => !byTs.has(n.receipt.id!)).length;
      // Never silently: notices older than the newest messages read this run are named, so a busy channel is seen.
      if (unread) read.warnings = [`channel ${name}: ${unread} notice(s) are older than the ${messages.length} newest messages read this run: their reactions and replies are not read (shorten watch_for, or give alerts a quieter channel)`];
      const refusals: { thread: string; user: string; seen: SeenNotice }[] = [];
      for (const notice of open) {
        const ts = notice.receipt.id!;
        const message = byTs.get(ts);
        if (!message) continue;
        const state = seen[ts]!;
        const actions = notice.actions ?? [];
        for (const reaction of message.reactions ?? []) {
          for (const user of reaction.users ?? []) {
            const key = `${reaction.name}:${user}`;
            if (state.reactions.includes(key)) continue;
            state.reactions.push(key);
            const action = actionOfReaction(actions, reaction.name);
            if (!action) continue;
            take(notice, action, user, `slack:${name}:${ts}:${key}`, undefined, `:${reaction.name}:`);
          }
        }
        if ((message.reply_count ?? 0) > (state.replies ?? 0)) {
          const replies = await readReplies(config, config.channel, ts, state.lastReply, signal, skipped);
          state.replies = message.reply_count;
          for (const reply of replies) {
            // The newest reply read, whatever order the page came in: a cursor never moves back to re-read what was taken.
            if (state.lastReply === undefined || Number(reply.ts) > Number(state.lastReply)) state.lastReply = reply.ts;
            if (reply.bot_id || !reply.user || reply.subtype) continue;
            const parsed = parseSlackReply(reply.text ?? '');
            const action = parsed && actions.find((a) => a.name === parsed.word);
            if (!parsed || !action) continue;
            take(notice, action, reply.user, `slack:${name}:${reply.ts}`, parsed.forMs, parsed.word);
          }
        }
      }
      // A message of the wrong shape is left out and audited; the others still count.
      for (const why of skipped) read.audit.push({ event: 'chat_update_skipped', chat: config.channel, why });
      read.warnings ??= [];
      for (const refusal of refusals) {
        try {
          await postMessage(config, { channel: config.channel, thread_ts: refusal.thread, text: fallbackText(`Sorry, ${personOf(refusal.user)} is not allowed to act on alerts here. Ask the alertcron administrator.`) }, signal);
          refusal.seen.replies = (refusal.seen.replies ?? 0) + 1;
        } catch (error) {
          read.warnings.push(`channel ${name}: could not answer in the thread: ${(error as Error).message}`);
        }
      }
      return read;

      function take(notice: SentNotice, action: NoticeAction, user: string, id: string, forMs: number | undefined, what: string): void {
        const thread = notice.receipt.id!;
        if (!allowedUser(user)) {
          read.audit.push({ event: 'chat_refused', chat: config.channel, by: personOf(user), what: `${what} on ${notice.alert}`, why: 'person not allowed' });
          refusals.push({ thread, user, seen: seen[thread]! });
          return;
        }
        const request = requestFor(action, notice, personOf(user), `Slack channel ${config.channel}`, forMs);
        const chatAction: ChatAction = { id, request, chat: config.channel, notice: notice.id, action: action.name, reply: { thread, label: action.label, seen: seen[thread]! } satisfies SlackReply };
        read.actions.push(chatAction);
      }
    },

    async respond(outcomes: ChatOutcome[], signal: AbortSignal): Promise<ChatAnswers> {
      const answers: ChatAnswers = { warnings: [], owed: [] };
      for (const outcome of outcomes) {
        const reply = outcome.action.reply as SlackReply | undefined;
        if (!reply) continue;
        if (signal.aborted) {
          answers.owed.push(outcome.action.id);
          continue;
        }
        const text = `${outcome.ok ? '✔' : '✖'} ${reply.label} by ${outcome.action.request.by}: ${outcome.message}`;
        try {
          await postMessage(config, { channel: config.channel, thread_ts: reply.thread, text: fallbackText(cleanText(text)) }, signal);
          // The cursor is stored after this: the bot's own reply is not news for the next run.
          reply.seen.replies = (reply.seen.replies ?? 0) + 1;
        } catch (error) {
          // Only a failure for now (rate limit, network, 5xx) keeps the answer owed; a refusal will not change.
          const final = error instanceof SlackApiError && !error.retryable;
          if (!final) answers.owed.push(outcome.action.id);
          answers.warnings.push(`channel ${name}: could not confirm in the thread${final ? '' : ' (tried again next run)'}: ${(error as Error).message}`);
        }
      }
      return answers;
    },
  };
}
