import { digestText } from '../../../render/digestText.js';
import { cutMarkdown, inertCodeBlock, inertMarkdown } from '../../../render/markdownText.js';
import { oneLine } from '../../../util/text.js';
import { usableDigest } from '../../digest/usable.js';
import type { Notification } from '../../types.js';
import type { DiscordChannelConfig } from './types.js';

/** Discord's limits (Execute Webhook): message content, and an embed's description. */
export const DISCORD_CONTENT_CHARS = 2000;
export const DISCORD_DESCRIPTION_CHARS = 4096;

/** What alertcron posts to Execute Webhook: the title as content, the text in one embed, and no mention allowed to ping. */
export interface DiscordPayload {
  content: string;
  embeds?: { description: string; color?: number }[];
  username?: string;
  allowed_mentions: { parse: never[] };
}

/**
 * The message a notice becomes: the title (one line, bold) as the content and the message as an embed's
 * description, every value inert in Discord's markdown (each ASCII punctuation character backslash-escaped: no
 * link, masked link, mention, emoji, timestamp, spoiler or emphasis can form) and cut to Discord's limits; a digest's
 * table in a code block under the title. `allowed_mentions: {parse: []}` stops any ping even if a mention formed.
 */
export function discordPayload(config: DiscordChannelConfig, notification: Notification): DiscordPayload {
  const title = inertMarkdown(oneLine(notification.title) || oneLine(notification.alert));
  const digest = usableDigest(notification.digest);
  const description = digest ? inertCodeBlock(digestText(digest), DISCORD_DESCRIPTION_CHARS) : cutMarkdown(inertMarkdown(notification.message).trim(), DISCORD_DESCRIPTION_CHARS);
  const embed = description ? { description, ...(config.color !== undefined ? { color: config.color } : {}) } : undefined;
  return {
    content: `**${cutMarkdown(title, DISCORD_CONTENT_CHARS - 4)}**`,
    ...(embed ? { embeds: [embed] } : {}),
    ...(config.username ? { username: config.username } : {}),
    allowed_mentions: { parse: [] },
  };
}
