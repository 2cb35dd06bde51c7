import type { ChatAddress } from '../model/conversation.js';
import { fallbackText } from './slack.js';
import { callSlack, postMessage, readHistory, SlackApiError, type SlackApp } from './slackApi.js';
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
    async replies(address: ChatAddress, after: string, signal: AbortSignal): Promise<ChatReply[]> {
      const { messages } = await readHistory(app, address.chat, after, signal);
      return messages
        .filter((m) => m.user === address.user && !m.bot_id && !m.subtype && typeof m.text === 'string' && Number(m.ts) > Number(after))
        .sort((a, b) => Number(a.ts) - Number(b.ts))
        .map((m) => ({ text: m.text!, at: Math.round(Number(m.ts) * 1000), ref: m.ts }));
    },
  };
}
