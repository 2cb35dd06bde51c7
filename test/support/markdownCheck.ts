// Checks on chat markdown that reached a fake service: which ASCII punctuation characters a markdown renderer would
// act on (not backslash-escaped), and the text a reader sees once the escapes are rendered.

/** ASCII punctuation: what CommonMark (and Discord's and Mattermost's markdown) lets a backslash escape. */
const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** The ASCII punctuation characters of a markdown text that are not backslash-escaped (each with its offset). */
export function unescapedPunctuation(markdown: string): { at: number; char: string }[] {
  const found: { at: number; char: string }[] = [];
  for (let i = 0; i < markdown.length; i++) {
    const char = markdown[i]!;
    if (char === '\\' && i + 1 < markdown.length && PUNCTUATION.test(markdown[i + 1]!)) i++;
    else if (PUNCTUATION.test(char)) found.push({ at: i, char });
  }
  return found;
}

/** The text a reader sees: every backslash escape of ASCII punctuation replaced by the character itself. */
export function unescapeMarkdown(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
