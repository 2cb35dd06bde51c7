import { cutText } from '../util/text.js';

/**
 * The body `build` makes of the longest cut of `text` (cut between characters, with an ellipsis) whose UTF-8 size
 * is at most `maxBytes`: for services that limit a whole message in bytes (a Teams card, a Google Chat message).
 * When even an empty text does not fit, the body of the empty text is returned.
 */
export function fitBytes(text: string, build: (text: string) => string, maxBytes: number): string {
  const whole = build(text);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  // Binary search on the number of UTF-16 units kept: the size grows with the text kept.
  let low = 0;
  let high = text.length - 1;
  let best = build(cutText(text, 0));
  while (low <= high) {
    const middle = (low + high) >> 1;
    const body = build(cutText(text, middle));
    if (Buffer.byteLength(body) <= maxBytes) {
      best = body;
      low = middle + 1;
    } else high = middle - 1;
  }
  return best;
}
