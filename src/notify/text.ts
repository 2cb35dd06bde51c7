/**
 * Makes log text safe to show anywhere: removes control characters (but newline and tab), bidirectional
 * overrides that can disguise text, and lone surrogates left by broken encodings (replaced with U+FFFD).
 */
export function sanitizeText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** U+2060 WORD JOINER: invisible, and it breaks Telegram's automatic links, mentions and /commands. */
const JOINER = '\u2060';

/**
 * Makes untrusted text (chat titles, names, log data) inert in a Telegram message, where even plain text is
 * auto-linked: a word joiner after each `/` and `@` that starts a command or mention, inside `://`, and after a
 * dot between letters (bare domains). The text looks the same but nothing in it can be tapped.
 */
export function inertForTelegram(text: string): string {
  return text
    .replace(/:\/\//g, `:${JOINER}//`)
    .replace(/([/@#$])(?=[\p{L}\p{N}_])/gu, `$1${JOINER}`)
    .replace(/(\p{L})\.(?=\p{L})/gu, `$1.${JOINER}`);
}
