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
