/** The most characters of a rule file's text (a key name, a value) that a note quotes. */
export const QUOTE_LIMIT = 64;

/**
 * Text read from a rule file (a key name, a value) as a note may show it on a terminal: control, format and
 * line-separator characters written as `\u{…}` escapes (no escape sequence, no line break, no direction
 * override reaches the terminal), and at most `max` characters, the rest cut with `…`.
 */
export function quoteData(value: unknown, max = QUOTE_LIMIT): string {
  const chars = [...String(value)];
  const cut = chars.length > max ? [...chars.slice(0, max), '…'] : chars;
  return inertLine(cut.join(''));
}

/** A whole line of the import's report made inert on a terminal (file names and messages too), not cut. */
export function inertLine(line: string): string {
  return line.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * A key of a rule file as a note names it: an option-like name (letters, digits, `_ . -`) cut to 64 characters;
 * any other key (a line of some other file read as YAML, control characters) only by its length, since the note's
 * `file:line` already finds it.
 */
export function quoteKey(key: string): string {
  if (/^[\p{L}\p{N}_.-]+$/u.test(key)) return quoteData(key);
  return `(a key of ${[...key].length} characters that is no option name)`;
}
