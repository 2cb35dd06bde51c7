import { cleanText } from '../util/text.js';

/** Every ASCII punctuation character: CommonMark lets a backslash make each of them literal. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Makes untrusted text inert in markdown (TheHive's descriptions): cleaned (no control or invisible characters), and
 * every ASCII punctuation character backslash-escaped, so that no value can open a link, an image, HTML, emphasis, a
 * heading, a list, a table or code, and no URL, `www.` domain or e-mail address is auto-linked (their `:`, `.` and `@`
 * are escaped). Lines are kept; the text reads the same once rendered.
 */
export function inertMarkdown(text: string): string {
  return cleanText(text).replace(PUNCTUATION, '\\$&');
}
