import { cleanText, cutText } from '../util/text.js';

/** Every ASCII punctuation character: CommonMark lets a backslash make each of them literal. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Makes untrusted text inert in markdown (TheHive's descriptions, Discord and Mattermost messages): cleaned (no
 * control or invisible characters), and every ASCII punctuation character backslash-escaped, so that no value can
 * open a link, an image, HTML, emphasis, a heading, a list, a table or code, and no URL, `www.` domain or e-mail
 * address is auto-linked (their `:`, `.` and `@` are escaped). Lines are kept; the text reads the same once rendered.
 */
export function inertMarkdown(text: string): string {
  return cleanText(text).replace(PUNCTUATION, '\\$&');
}

/**
 * Cuts markdown made by inertMarkdown (and the operator's text around it) to at most `max` UTF-16 units, the mark
 * included, never between a backslash and the character it escapes nor inside a surrogate pair, so that a cut
 * cannot leave a backslash that escapes the mark or whatever a channel puts after the text.
 */
export function cutMarkdown(markdown: string, max: number, mark = '…'): string {
  const cut = cutText(markdown, max, mark);
  if (cut === markdown) return cut;
  const kept = cut.slice(0, cut.length - (max >= mark.length ? mark.length : 0));
  const backslashes = kept.length - kept.replace(/\\+$/, '').length;
  return backslashes % 2 === 1 ? `${kept.slice(0, -1)}${cut.slice(kept.length)}` : cut;
}

/**
 * Untrusted text (an aligned table) as a fenced code block of at most `max` characters: chat markdown shows it
 * literally in a fixed-width font (no mention, link, emoji or markup), so it is cleaned and its backticks become a
 * look-alike (U+02CB) that cannot close the fence; a text longer than the room is cut with a mark.
 */
export function inertCodeBlock(text: string, max: number): string {
  const fence = '```';
  const body = cutText(cleanText(text).replace(/`/g, '\u02cb'), Math.max(0, max - 2 * fence.length - 2));
  return `${fence}\n${body}\n${fence}`;
}
