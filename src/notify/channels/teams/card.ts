import { cleanText, cutText, oneLine } from '../../../util/text.js';
import { fitBytes } from '../../fitBytes.js';
import { findingField } from '../../noticeTemplate.js';
import { inertForChat } from '../../text.js';
import type { Notification } from '../../types.js';
import type { TeamsChannelConfig } from './types.js';

/**
 * Most bytes of the request body: Teams refuses a message over about 28 KB, and the flow wraps the card in its own
 * envelope on the way, so the card keeps a margin.
 */
export const MAX_BODY_BYTES = 26_000;
/** Longest title shown. */
const MAX_TITLE = 1_000;
/**
 * Longest fact name and value, tried in turn until the card with the first MESSAGE_KEPT units of the message fits
 * (a value full of dotted non-Latin letters grows to about 3.5 bytes a unit once inert); when even the last does not
 * fit, trailing rows give way to a "N more fields left out" row. The message then gets what the size limit leaves.
 */
const FACT_CAPS: readonly (readonly [name: number, value: number])[] = [
  [100, 500],
  [60, 250],
  [40, 120],
  [30, 60],
];
/** How much of the message (UTF-16 units) the facts must leave room for. */
const MESSAGE_KEPT = 1_000;

/**
 * Untrusted text made inert on a card: cleaned (no control or invisible characters), a word joiner inside `://`,
 * after a `@` or `/` that starts a word and after the dot of a dotted name (so no client turns a URL, an
 * address or a domain into a link), and `{{` split (Adaptive Cards' DATE()/TIME() functions). It goes only into
 * TextRuns, which Adaptive Cards never read as markdown: `**`, `[x](y)` and `<at>` show as typed.
 */
export function inertCardText(text: string): string {
  return inertForChat(cleanText(text)).replace(/\{(?=\{)/g, '{\u2060');
}

/** A RichTextBlock of one TextRun (plain text: markdown is not interpreted in a TextRun). */
function plainBlock(text: string, style: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...style }] };
}

/** The name/value rows of the chosen fields the notice has, each row two columns of plain text (a FactSet's values would be markdown). */
function factRows(config: TeamsChannelConfig, notification: Notification, [nameCap, valueCap]: readonly [number, number]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const field of config.facts) {
    const value = findingField(notification, field);
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    rows.push(factRow(inertCardText(cutText(oneLine(field), nameCap)), inertCardText(cutText(oneLine(text), valueCap))));
  }
  return rows;
}

/** One name/value row of two columns of plain (already inert) text. */
function factRow(name: string, value: string): Record<string, unknown> {
  return {
    type: 'ColumnSet',
    spacing: 'Small',
    columns: [
      { type: 'Column', width: 1, items: [plainBlock(name, { weight: 'Bolder' })] },
      { type: 'Column', width: 3, items: [plainBlock(value)] },
    ],
  };
}

/**
 * The fact rows at the largest caps with which `fits` accepts them; at the smallest caps, as many leading rows as
 * fit followed by a row saying how many fields were left out.
 */
function fittedFacts(config: TeamsChannelConfig, notification: Notification, fits: (facts: Record<string, unknown>[]) => boolean): Record<string, unknown>[] {
  let rows: Record<string, unknown>[] = [];
  for (const caps of FACT_CAPS) {
    rows = factRows(config, notification, caps);
    if (fits(rows)) return rows;
  }
  for (let kept = rows.length - 1; kept >= 0; kept--) {
    const left = rows.length - kept;
    const shortened = [...rows.slice(0, kept), factRow('…', `${left} more field${left === 1 ? '' : 's'} left out (the card's size limit)`)];
    if (fits(shortened) || kept === 0) return shortened;
  }
  return rows;
}

/**
 * The request body a notice becomes for the Workflows template "Post to a channel when a webhook request is
 * received": a message with one Adaptive Card 1.4 attachment (the title in bold, the message, a digest's table in a
 * monospace font, the chosen fields as rows), every text in a TextRun and inert, the fields shortened or left out
 * (FACT_CAPS) and then the message cut so that the body stays under MAX_BODY_BYTES.
 */
export function teamsBody(config: TeamsChannelConfig, notification: Notification): string {
  const title = inertCardText(cutText(oneLine(notification.title), MAX_TITLE));
  const message = inertCardText(notification.message);
  const card = (message: string, facts: Record<string, unknown>[]) =>
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
  const kept = message.length > MESSAGE_KEPT ? cutText(message, MESSAGE_KEPT) : message;
  const facts = fittedFacts(config, notification, (rows) => Buffer.byteLength(card(kept, rows)) <= MAX_BODY_BYTES);
  return fitBytes(message, (text) => card(text, facts), MAX_BODY_BYTES);
}
