/** U+2060 WORD JOINER: invisible, and it breaks the automatic links, mentions and /commands of chat clients. */
const JOINER = '\u2060';

/**
 * Makes untrusted text (chat titles, names, log data) inert wherever a chat client links plain text by itself
 * (Telegram, Teams, Google Chat, HTML digests): a word joiner after each `/` and `@` that starts a command or
 * mention, inside `://`, and after a dot that ends a label (a letter or digit) before a letter (bare domains such
 * as `evil.com`, `paypa1.com`, `office365.com`; `1.5`, `v1.2.3` and IP addresses stay as they are, no top-level
 * domain starts with a digit). The text looks the same but nothing in it can be tapped.
 */
export function inertForChat(text: string): string {
  return text
    .replace(/:\/\//g, `:${JOINER}//`)
    .replace(/([/@#$])(?=[\p{L}\p{N}_])/gu, `$1${JOINER}`)
    .replace(/([\p{L}\p{N}])\.(?=\p{L})/gu, `$1.${JOINER}`);
}
