import type { NoticeAction } from '../model/operation.js';
import type { SlackAppChannelConfig } from './config.js';
import { hasTableBlock } from './digest/slackTable.js';
import { postMessage, SlackApiError } from './slackApi.js';
import { slackPayload } from './slack.js';
import type { Notifier } from './types.js';

/** The line under a Slack app's notice saying how to act on it: the emoji of each action, and the thread replies. */
export function slackHowTo(actions: readonly NoticeAction[], reactions: Readonly<Record<string, string>>): string {
  const emoji = actions.filter((a) => reactions[a.name]).map((a) => `:${reactions[a.name]}: ${a.label}`);
  const words = actions.map((a) => (a.forMs !== undefined ? `${a.name} 2h` : a.name));
  return `${emoji.length ? `React ${emoji.join(', ')}; or r` : 'R'}eply in this thread: ${words.join(', ')}`;
}

/**
 * Creates a Slack app notifier: chat.postMessage with the bot token to the configured channel, untrusted text only
 * in plain_text blocks and an inert fallback, no unfurling, and a how-to line for the notice's actions. Its receipt
 * keeps the channel and timestamp, which the inbox reads reactions and replies from. A digest whose table block the
 * workspace refuses (invalid_blocks) is posted again at once with the table as text.
 */
export async function createSlackAppNotifier(name: string, config: SlackAppChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification, signal) {
      const post = (tables: boolean) => {
        const payload = slackPayload(notification, { tables });
        const blocks: unknown[] = [...payload.blocks];
        if (notification.actions?.length) blocks.push({ type: 'context', elements: [{ type: 'plain_text', text: slackHowTo(notification.actions, config.reactions), emoji: true }] });
        return postMessage(config, { channel: config.channel, text: payload.text, blocks }, signal);
      };
      let posted;
      try {
        posted = await post(true);
      } catch (error) {
        // A workspace that refuses the table block (invalid_blocks) gets the digest once more at once, its table as text.
        if (!(error instanceof SlackApiError && error.code === 'invalid_blocks' && hasTableBlock(slackPayload(notification).blocks))) throw error;
        posted = await post(false);
      }
      return { id: posted.ts, chat: posted.channel };
    },
  };
}
