import { angleLookalikes, styleLookalikes } from '../../../render/styleLookalikes.js';
import { cleanText } from '../../../util/text.js';
import { escapeHtml } from '../../../render/html/escape.js';
import { inertForChat } from '../../text.js';

/**
 * Untrusted text made inert in a Google Chat text message, whose formatting has no escape: cleaned (no control or
 * invisible characters); `*` `_` `~` `` ` `` and `<` `>` replaced by look-alikes (no bold, italic, strike, code,
 * mention, link or quote); a `-` that starts a line as a list bullet replaced by a hyphen look-alike; word joiners
 * that keep URLs, addresses and domain names from being linked (inertForChat). Webhook messages are read in Chat's
 * own syntax (Markdown is a Chat app's setting, not a message's), but in case a space reads Markdown a word joiner
 * also follows a `]` before `(`, `:` or `[` (links, references) and starts a line that opens with `#`, `+`, `=`,
 * `-` or `1.`/`1)` (headings, lists, rules).
 */
export function inertChatText(text: string): string {
  // `<` and `>` open a mention (`<users/all>`) or a link (`<url|text>`), or start a quote. The look-alikes come
  // before the word joiners: `_` becomes a letter (ˍ), so `window.__x` is a bare domain only once it is replaced.
  return angleLookalikes(inertForChat(styleLookalikes(cleanText(text))))
    .replace(/^([ \t]*)-(?=[ \t])/gm, '$1\u2010')
    .replace(/\](?=[(:[])/g, ']\u2060')
    .replace(/^([ \t]*)(?=[#+=-]|\d+[.)])/gm, '$1\u2060');
}

/**
 * Untrusted text made inert in a card's textParagraph, which reads a small HTML subset: cleaned, word joiners that
 * keep URLs, addresses and domain names from being linked, then HTML-escaped; line breaks become `<br>`.
 */
export function inertCardHtml(text: string): string {
  return escapeHtml(inertForChat(cleanText(text))).replace(/\n/g, '<br>');
}
