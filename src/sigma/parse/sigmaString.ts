// Sigma's string values: `*` and `?` wildcards, and the backslash escapes of the specification (`\*`, `\?`, `\\`;
// a backslash before any other character, or at the end, is a plain backslash).
import type { SigmaString, SigmaValue, SigmaWildcard } from '../types.js';

/** Parses a detection value as Sigma reads it: wildcards become parts, escaped wildcards and backslashes plain text. */
export function parseSigmaString(text: string): SigmaString {
  const parts: (string | SigmaWildcard)[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        i++;
      } else literal += '\\';
    } else if (c === '*' || c === '?') {
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ wildcard: c });
    } else literal += c;
  }
  if (literal) parts.push(literal);
  return { type: 'string', parts };
}

/** A string from parts, adjacent literal parts merged (the shape every SigmaString keeps). */
export function sigmaString(parts: readonly (string | SigmaWildcard)[], cased?: true): SigmaString {
  const merged: (string | SigmaWildcard)[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      if (!part) continue;
      const last = merged[merged.length - 1];
      if (typeof last === 'string') merged[merged.length - 1] = last + part;
      else merged.push(part);
    } else merged.push({ wildcard: part.wildcard });
  }
  return cased ? { type: 'string', parts: merged, cased } : { type: 'string', parts: merged };
}

/** Writes a string back as a rule would write it: wildcards bare, a literal `*`, `?` or `\` escaped where Sigma needs it. */
export function escapeSigmaString(value: SigmaString): string {
  let out = '';
  for (const part of value.parts) {
    if (typeof part !== 'string') {
      out += part.wildcard;
      continue;
    }
    for (let i = 0; i < part.length; i++) {
      const c = part[i]!;
      if (c === '*' || c === '?') out += `\\${c}`;
      // A backslash needs escaping only where it would otherwise escape what follows: before `*`, `?`, `\` (which
      // may be a wildcard part) or at the end of the part when a wildcard follows.
      else if (c === '\\') out += '\\\\';
      else out += c;
    }
  }
  return out;
}

/** True when the string has a wildcard part. */
export function hasWildcard(value: SigmaString): boolean {
  return value.parts.some((part) => typeof part !== 'string');
}

/** The plain text of a string without wildcards (literal `*`/`?` included as themselves). */
export function plainText(value: SigmaString): string {
  return value.parts.map((part) => (typeof part === 'string' ? part : part.wildcard)).join('');
}

/** A short human rendering of a value, for messages (a string as a rule would write it). */
export function sigmaValueText(value: SigmaValue): string {
  switch (value.type) {
    case 'string':
      return `'${escapeSigmaString(value)}'${value.cased ? ' (cased)' : ''}`;
    case 'number':
    case 'bool':
      return String(value.value);
    case 'null':
      return 'null';
    case 're':
      return `/${value.pattern}/${value.flags.join('')}`;
    case 'cidr':
      return value.network;
    case 'compare':
      return `${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[value.op]} ${value.value}`;
    case 'exists':
      return value.value ? 'exists' : 'does not exist';
  }
}
