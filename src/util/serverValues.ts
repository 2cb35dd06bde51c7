import { cutText, oneLine } from './text.js';

/** The latest time a JavaScript Date can hold (epoch ms): 275760-09-13. */
export const MAX_EPOCH_MS = 8.64e15;

/** A time read back from a server (epoch ms) when it is one a Date can hold and after 1970; undefined otherwise (a string, NaN, negative, beyond the Date range). */
export function serverTime(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_EPOCH_MS ? value : undefined;
}

/** A value from a server quoted for a one-line message: JSON, cut to `max` characters. */
export function quoted(value: unknown, max = 40): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return cutText(oneLine(text), max);
}

/** The first few items of a list for a one-line message, and how many more there are. */
export function listed(items: readonly string[], shown = 3): string {
  return items.slice(0, shown).join(', ') + (items.length > shown ? ` and ${items.length - shown} more` : '');
}
