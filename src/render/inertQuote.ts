import { cutText, oneLine } from '../util/text.js';

/** Longest quoted answer kept in a notice. */
const MAX_QUOTE = 300;

/**
 * Turns a chat message (written by whoever controls the account) into inert text for a notice: one line, no
 * control or direction characters, no markup characters, no mentions and no links (schemes and `www.` are
 * defanged, `@` is written `(at)`), at most 300 characters (and a mark where cut), in double quotes.
 */
export function inertQuote(text: string): string {
  const flat = oneLine(text)
    .replace(/[<>`*_~|[\]{}\\]/g, ' ')
    .replace(/"/g, "'")
    .replace(/@/g, '(at)')
    .replace(/([a-z][a-z0-9+.-]*):\/\//gi, '$1[:]//')
    .replace(/\bwww\./gi, 'www[.]')
    .replace(/\s+/g, ' ')
    .trim();
  return `"${cutText(flat, MAX_QUOTE + 1)}"`;
}
