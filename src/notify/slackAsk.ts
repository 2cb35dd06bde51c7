import type { ChatAddress } from '../model/conversation.js';
import { fallbackText } from './slack.js';
import { callSlack, postMessage, readHistory, readReplies, SlackApiError, type SlackApp, type SlackMessage } from './slackApi.js';
import { cleanText, cutText } from '../util/text.js';

/** Most characters of a section block's text (Slack's limit). */
const SECTION_LIMIT = 3000;
import type { AskChannel, ChatReply, PersonRef } from './types.js';

/** Slack's answers that mean "this workspace has no such person to talk to" (the conversation escalates). */
const NOBODY = new Set(['users_not_found', 'user_not_found', 'user_not_visible', 'user_disabled', 'cannot_dm_bot']);

/**
 * A Slack app's private conversations: finds a person by Slack user id or email (users.lookupByEmail), opens
 * the DM (conversations.open), writes inert text in it, and reads the person's own messages after a ts from
 * the DM's history (the bot's messages and other subtypes left out).
 */
export function createSlackAskChannel(app: SlackApp): AskChannel {
  return {
    async find(person: PersonRef, signal: AbortSignal): Promise<ChatAddress | undefined> {
      try {
        let user = person.slack;
        if (!user) {
          if (!person.email) return undefined;
          const found = await callSlack<{ user?: { id?: string; deleted?: boolean; is_bot?: boolean } }>(app, 'users.lookupByEmail', { email: person.email }, { get: true, signal });
          if (!found.user?.id || found.user.deleted || found.user.is_bot) return undefined;
          user = found.user.id;
        }
        const opened = await callSlack<{ channel?: { id?: string } }>(app, 'conversations.open', { users: user }, { signal });
        if (!opened.channel?.id) return undefined;
        return { user, chat: opened.channel.id };
      } catch (error) {
        if (error instanceof SlackApiError && NOBODY.has(error.code)) return undefined;
        throw error;
      }
    },
    async say(address: ChatAddress, text: string, signal: AbortSignal): Promise<string> {
      // The question holds log data: shown only as a plain_text block (no mrkdwn, so no mentions, links or styling),
      // with the same inert fallback as every Slack notice.
      const clean = cleanText(text);
      const blocks = [{ type: 'section', text: { type: 'plain_text', text: cutText(clean, SECTION_LIMIT), emoji: false } }];
      const posted = await postMessage(app, { channel: address.chat, text: fallbackText(cutText(clean, 1000)), blocks }, signal);
      return posted.ts;
    },
    async replies(address: ChatAddress, after: string, signal: AbortSignal, threads: readonly string[] = []): Promise<ChatReply[]> {
      // From the oldest question on, so that each question's reply count and latest reply are in the page.
      const oldest = [after, ...threads].reduce((a, b) => (Number(b) < Number(a) ? b : a));
      const { messages } = await readHistory(app, address.chat, oldest, signal);
      const own = (m: SlackMessage) => m.user === address.user && !m.bot_id && !m.subtype && typeof m.text === 'string' && Number(m.ts) > Number(after);
      const reply = (m: SlackMessage, thread?: string): ChatReply => ({ text: m.text!, at: Math.round(Number(m.ts) * 1000), ref: m.ts, ...(thread ? { replyTo: thread } : {}) });
      const out = messages.filter(own).map((m) => reply(m));
      // A reply in a question's thread answers that question; a thread is read only when the history shows a new reply in it.
      for (const ts of threads) {
        const parent = messages.find((m) => m.ts === ts);
        if (!parent?.latest_reply || Number(parent.latest_reply) <= Number(after)) continue;
        out.push(...(await readReplies(app, address.chat, ts, after, signal)).filter(own).map((m) => reply(m, ts)));
      }
      return out.sort((a, b) => Number(a.ref) - Number(b.ref));
    },
  };
}
