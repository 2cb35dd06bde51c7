import { isStoredTime } from './epochTime.js';
import { cutText, oneLine } from './text.js';

/**
 * A time read back from a server (epoch ms) when it is one alertcron could store (isStoredTime: up to the end of
 * the year 9999, so a duration added to it still prints) and after 1970 (0 is a server's "unset"); undefined
 * otherwise (a string, NaN, 0, negative, past the year 9999).
 */
export function serverTime(value: unknown): number | undefined {
  return isStoredTime(value) && value > 0 ? value : undefined;
}

/** A value from a server quoted for a one-line message: JSON, cut to `max` characters. */
export function quoted(value: unknown, max = 40): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = printable(value);
  }
  return cutText(oneLine(text), max);
}

/** String(value), or its type tag when the value's own toString or valueOf fails (a mapping with such keys). */
function printable(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The first few items of a list for a one-line message, and how many more there are. */
export function listed(items: readonly string[], shown = 3): string {
  return items.slice(0, shown).join(', ') + (items.length > shown ? ` and ${items.length - shown} more` : '');
}
