/**
 * Whether a piece of a URL (a path segment, a query value) looks like a token: 16+ characters of a token alphabet
 * with both letters and digits, or 32+ of that alphabet. Words and short ids (`alertcron`, `soc`, `12345`) do not.
 */
export function looksLikeToken(segment: string): boolean {
  return (segment.length >= 16 && /[a-z]/i.test(segment) && /\d/.test(segment) && /^[\w.~%+=-]+$/.test(segment)) || (segment.length >= 32 && /^[\w.~%+=-]+$/.test(segment));
}

/**
 * Whether a query parameter's value (decoded) looks like a token: as `looksLikeToken`, but any characters but
 * whitespace count, since standard base64 keys and signatures carry `/`, `+` and `=` (Azure's `sig`, `code`).
 */
export function looksLikeTokenValue(value: string): boolean {
  if (/\s/.test(value)) return false;
  return (value.length >= 16 && /[a-z]/i.test(value) && /\d/.test(value)) || value.length >= 32;
}
