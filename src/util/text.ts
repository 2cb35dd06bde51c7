// The one sanitiser for untrusted text (log values, chat names and titles, chat messages, servers' error bodies)
// before any channel or display shows it; each channel adds its own escaping on top (HTML for Telegram, & < > for Slack).

/** Terminal escape sequences: CSI (`ESC [ ... m`), OSC (`ESC ] ... BEL`), and two-character ones. */
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -~]?)|\u009b[0-?]*[ -/]*[@-~]?/g;
/** Control characters (C0 and C1, but the newline), which a terminal or a chat may act on. */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
/**
 * Invisible format characters that can disguise text: bidirectional overrides, embeddings and isolates, zero-width
 * spaces and joiners, the word joiner and invisible operators, the byte order mark, soft hyphen, tags (all of \p{Cf}).
 */
const INVISIBLE = /\p{Cf}/gu;
/** A surrogate half without its other half (a string cut in the middle of an emoji, or broken encoding). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes untrusted text safe to show anywhere, keeping its lines: terminal escape sequences and invisible format
 * characters (bidi overrides, zero-width characters) are removed, other control characters become spaces, every line
 * break (\r\n, \r, U+2028, U+2029) becomes \n, and a lone surrogate becomes U+FFFD.
 */
export function cleanText(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(CONTROLS, ' ')
    .replace(INVISIBLE, '')
    .replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Cuts text to at most `max` UTF-16 units, the mark (an ellipsis unless given) included, never inside a surrogate
 * pair: the result is valid UTF-16 whenever the input was.
 */
export function cutText(text: string, max: number, mark = '…'): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - mark.length);
  let end = room;
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${max >= mark.length ? mark : ''}`;
}

/** Untrusted text as one clean line (every run of white space, line breaks included, becomes one space), cut to `max` if given. */
export function oneLine(text: string, max?: number): string {
  const flat = cleanText(text).replace(/\s+/g, ' ').trim();
  return max === undefined ? flat : cutText(flat, max);
}

/**
 * Untrusted text (a key, a value from the logs) quoted for a message on stderr or in a warning: one clean line, cut
 * to `max`, in JSON quotes, so that no value can add a line, a terminal escape or a forged message of its own.
 */
export function quoted(text: string, max = 120): string {
  return JSON.stringify(oneLine(text, max));
}
