import { createHash } from 'node:crypto';
import { cutText, oneLine } from '../../../util/text.js';
import { renderTemplate } from '../../../util/template.js';
import { fitBytes } from '../../fitBytes.js';
import { noticeLookup } from '../../noticeTemplate.js';
import type { Notification } from '../../types.js';
import { inertCardHtml, inertChatText } from './chatText.js';
import type { GoogleChatChannelConfig } from './types.js';

/** Google Chat's limits: 4,096 characters of text, 32,000 bytes for a whole message (text and cards). */
export const MAX_TEXT_CHARS = 4_096;
export const MAX_MESSAGE_BYTES = 32_000;
/** Longest title shown (one line). */
const MAX_TITLE = 500;

/**
 * The thread key of a notice: `alertcron-` and 40 hex digits of a SHA-256 of the rendered `thread_key` template, so
 * that notices rendering the same value share a thread and no log text becomes an identifier; undefined when the
 * channel has no thread_key or it renders empty.
 */
export function threadKeyOf(config: GoogleChatChannelConfig, notification: Notification): string | undefined {
  if (config.thread_key === undefined) return undefined;
  const value = renderTemplate(config.thread_key, noticeLookup(notification)).trim();
  return value ? `alertcron-${createHash('sha256').update(value).digest('hex').slice(0, 40)}` : undefined;
}

/** The text of a text message: the title in bold, then the message (a digest's table in a monospace block), all inert, cut to 4,096 characters. */
function messageText(notification: Notification): string {
  const title = inertChatText(cutText(oneLine(notification.title), MAX_TITLE));
  const head = title ? `*${title}*\n` : '';
  const [open, close] = notification.digest ? ['```\n', '\n```'] : ['', ''];
  const room = MAX_TEXT_CHARS - head.length - open.length - close.length;
  return `${head}${open}${cutText(inertChatText(notification.message), room)}${close}`;
}

/** A cardsV2 card: the title in bold and the message, each an inert textParagraph. */
function card(title: string, message: string): Record<string, unknown> {
  const widgets = [{ textParagraph: { text: `<b>${title}</b>` } }, ...(message ? [{ textParagraph: { text: message } }] : [])];
  return { cardId: 'alertcron', card: { sections: [{ widgets }] } };
}

/**
 * The request body a notice becomes: `{text}` (format text, and a digest in either format) or `{cardsV2,
 * fallbackText}` (format card), with `thread.threadKey` when the channel threads; under 32,000 bytes.
 */
export function googleChatBody(config: GoogleChatChannelConfig, notification: Notification): string {
  const threadKey = threadKeyOf(config, notification);
  const thread = threadKey ? { thread: { threadKey } } : {};
  // A digest's table needs a monospace block, which only a text message has (a card's textParagraph collapses spaces).
  if (config.format === 'text' || notification.digest) return fitBytes(messageText(notification), (text) => JSON.stringify({ text, ...thread }), MAX_MESSAGE_BYTES);
  const title = cutText(oneLine(notification.title), MAX_TITLE);
  return fitBytes(
    notification.message,
    (message) => JSON.stringify({ cardsV2: [card(inertCardHtml(title), inertCardHtml(message))], fallbackText: inertChatText(title), ...thread }),
    MAX_MESSAGE_BYTES,
  );
}
