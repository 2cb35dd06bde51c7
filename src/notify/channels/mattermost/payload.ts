import { digestText } from '../../../render/digestText.js';
import { cutMarkdown, inertCodeBlock, inertMarkdown } from '../../../render/markdownText.js';
import { cutText, oneLine } from '../../../util/text.js';
import { usableDigest } from '../../digest/usable.js';
import type { Notification } from '../../types.js';
import { breakMattermostMentions } from './mentions.js';
import type { MattermostChannelConfig } from './types.js';

/** Longest post Mattermost keeps (its MaxPostSize on a current database, in characters). */
export const MATTERMOST_TEXT_CHARS = 16_383;
/** Longest attachment fallback sent (a notification's one line). */
const FALLBACK_CHARS = 300;

/** The colours of Slack's (and ElastAlert2's) named attachment colours, sent as the hex Mattermost takes. */
const NAMED_COLOURS: Record<string, string> = { good: '#2eb886', warning: '#daa038', danger: '#a30200' };

/** What alertcron posts to an incoming webhook. */
export interface MattermostPayload {
  text?: string;
  attachments?: { fallback: string; color: string; text: string }[];
  channel?: string;
  username?: string;
  icon_url?: string;
}

/**
 * Escapes untrusted text for Mattermost's markdown and breaks its mentions; the spaces and tabs that start a line
 * become no-break spaces (a tab four), so that an indented line stays a line of text instead of an indented code
 * block that would show the escapes' backslashes.
 */
function inert(text: string): string {
  return breakMattermostMentions(inertMarkdown(text)).replace(/^[ \t]+/gm, (indent) => indent.replace(/ /g, '\u00a0').replace(/\t/g, '\u00a0'.repeat(4)));
}

/**
 * The post a notice becomes: the title (one line, bold), a blank line and the message, every value inert (each ASCII
 * punctuation character backslash-escaped, and a word joiner after each `@ ~ #` so that no mention notifies
 * anyone), cut to Mattermost's post length; a digest's table in a code block under the title. With `color` the same
 * text goes in an attachment of that colour (its fallback the title as one plain line).
 */
export function mattermostPayload(config: MattermostChannelConfig, notification: Notification): MattermostPayload {
  const line = oneLine(notification.title) || oneLine(notification.alert);
  const heading = `**${cutMarkdown(inert(line), 1000)}**`;
  const room = MATTERMOST_TEXT_CHARS - heading.length - 2;
  const digest = usableDigest(notification.digest);
  const body = digest ? inertCodeBlock(digestText(digest), room) : cutMarkdown(inert(notification.message).trim(), room);
  const text = body ? `${heading}\n\n${body}` : heading;
  return {
    ...(config.color ? { attachments: [{ fallback: breakMattermostMentions(cutText(line, FALLBACK_CHARS)), color: NAMED_COLOURS[config.color] ?? config.color, text }] } : { text }),
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.icon_url ? { icon_url: config.icon_url } : {}),
  };
}
