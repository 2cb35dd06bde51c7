// Sigma values a pipeline writes or compares: plain YAML scalars read the way a rule's values are read (wildcards
// `*` and `?`, `\` escaping them), and a Sigma string shown as plain text the way pySigma compares it.
import type { SigmaString, SigmaValue } from '../types.js';

/** Reads text as a Sigma string: `*` and `?` are wildcards; `\*`, `\?` and `\\` are those characters; any other `\` stays. */
export function sigmaString(text: string): SigmaString {
  const parts: SigmaString['parts'] = [];
  let literal = '';
  const flush = () => {
    if (literal) parts.push(literal);
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') (literal += next, i++);
      else literal += c;
    } else if (c === '*' || c === '?') {
      flush();
      parts.push({ wildcard: c });
    } else literal += c;
  }
  flush();
  return { type: 'string', parts };
}

/** A Sigma string as plain text: wildcards as `*` and `?`, a literal `*` or `?` escaped with `\` (pySigma's str()). */
export function plainText(value: SigmaString): string {
  return value.parts.map((part) => (typeof part === 'string' ? part.replace(/[*?]/g, '\\$&') : part.wildcard)).join('');
}

/** A value written in a pipeline (add_condition, set_value) as a Sigma value. */
export function scalarValue(value: unknown): SigmaValue {
  if (typeof value === 'string') return sigmaString(value);
  if (typeof value === 'number') return { type: 'number', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  return { type: 'null' };
}

/** Whether two Sigma values are the same value (pySigma's equality: strings by their parts, numbers by value). */
export function sameValue(a: SigmaValue, b: SigmaValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
