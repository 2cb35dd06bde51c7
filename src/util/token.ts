/**
 * Whether a piece of a URL (a path segment, a query value) looks like a token: 16+ characters of a token alphabet
 * with both letters and digits, or 32+ of that alphabet. Words and short ids (`alertcron`, `soc`, `12345`) do not.
 */
export function looksLikeToken(segment: string): boolean {
  return (segment.length >= 16 && /[a-z]/i.test(segment) && /\d/.test(segment) && /^[\w.~%+=-]+$/.test(segment)) || (segment.length >= 32 && /^[\w.~%+=-]+$/.test(segment));
}
