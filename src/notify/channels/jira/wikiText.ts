import { cleanText } from '../../../util/text.js';

/** Every ASCII punctuation character but the backslash: Jira's wiki renderer makes each literal after a backslash. */
const PUNCTUATION = /[!-/:-@[\]-`{-~]/g;
/** A backslash as text: `\\` is a line break in wiki markup and a backslash cannot escape itself, so it is an entity. */
const BACKSLASH_ENTITY = '&#92;';

/**
 * Makes untrusted text inert in Jira wiki markup: cleaned (no control or invisible characters), every ASCII
 * punctuation character backslash-escaped and every backslash written as `&#92;`, so that no value can form a link,
 * a mention (`[~user]`), an image, a macro (`{code}`, `{noformat}`, `{color}`), emphasis, a heading or list (their
 * marks are escaped wherever a line starts), a table, an emoticon, an entity or a line break; and no URL, `www.`
 * domain or e-mail address is auto-linked (their `:`, `.` and `@` are escaped). Lines are kept.
 */
export function inertWiki(text: string): string {
  return cleanText(text).replace(/\\/g, '\u0000').replace(PUNCTUATION, '\\$&').replace(/\u0000/g, BACKSLASH_ENTITY);
}

/**
 * Cuts wiki text to at most `max` characters (the mark included) without leaving half an escape at the end: a
 * dangling backslash would escape the mark, half an entity would show as text.
 */
export function cutWiki(text: string, max: number, mark = '…'): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - mark.length);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  let kept = text.slice(0, end);
  for (;;) {
    const trimmed = kept.replace(/&#?\d*$/, '').replace(/\\$/, '');
    if (trimmed === kept) break;
    kept = trimmed;
  }
  return kept + mark;
}
