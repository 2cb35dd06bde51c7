import { cleanText, cutText, oneLine } from '../../../util/text.js';
import { fitBytes } from '../../fitBytes.js';
import { findingField } from '../../noticeTemplate.js';
import { inertForTelegram } from '../../text.js';
import type { Notification } from '../../types.js';
import type { TeamsChannelConfig } from './types.js';

/**
 * Most bytes of the request body: Teams refuses a message over about 28 KB, and the flow wraps the card in its own
 * envelope on the way, so the card keeps a margin.
 */
export const MAX_BODY_BYTES = 26_000;
/** Longest title, fact name and fact value shown (the message gets what the size limit leaves). */
const MAX_TITLE = 1_000;
const MAX_FACT_NAME = 100;
const MAX_FACT_VALUE = 500;

/**
 * Untrusted text made inert on a card: cleaned (no control or invisible characters), a word joiner inside `://`,
 * after a `@` or `/` that starts a word and between the letters of a dotted name (so no client turns a URL, an
 * address or a domain into a link), and `{{` split (Adaptive Cards' DATE()/TIME() functions). It goes only into
 * TextRuns, which Adaptive Cards never read as markdown: `**`, `[x](y)` and `<at>` show as typed.
 */
export function inertCardText(text: string): string {
  return inertForTelegram(cleanText(text)).replace(/\{(?=\{)/g, '{\u2060');
}

/** A RichTextBlock of one TextRun (plain text: markdown is not interpreted in a TextRun). */
function plainBlock(text: string, style: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...style }] };
}

/** The name/value rows of the chosen fields the notice has, each row two columns of plain text (a FactSet's values would be markdown). */
function factRows(config: TeamsChannelConfig, notification: Notification): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const field of config.facts) {
    const value = findingField(notification, field);
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    rows.push({
      type: 'ColumnSet',
      spacing: 'Small',
      columns: [
        { type: 'Column', width: 1, items: [plainBlock(inertCardText(cutText(oneLine(field), MAX_FACT_NAME)), { weight: 'Bolder' })] },
        { type: 'Column', width: 3, items: [plainBlock(inertCardText(cutText(oneLine(text), MAX_FACT_VALUE)))] },
      ],
    });
  }
  return rows;
}

/**
 * The request body a notice becomes for the Workflows template "Post to a channel when a webhook request is
 * received": a message with one Adaptive Card 1.4 attachment (the title in bold, the message, a digest's table in a
 * monospace font, the chosen fields as rows), every text in a TextRun and inert, the message cut so that the body
 * stays under MAX_BODY_BYTES.
 */
export function teamsBody(config: TeamsChannelConfig, notification: Notification): string {
  const title = inertCardText(cutText(oneLine(notification.title), MAX_TITLE));
  const facts = factRows(config, notification);
  const build = (message: string) =>
    JSON.stringify({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [plainBlock(title, { weight: 'Bolder', size: 'Medium' }), ...(message ? [plainBlock(message, notification.digest ? { fontType: 'Monospace' } : {})] : []), ...facts],
            ...(config.full_width ? { msteams: { width: 'Full' } } : {}),
          },
        },
      ],
    });
  return fitBytes(inertCardText(notification.message), build, MAX_BODY_BYTES);
}
