// Sigma values a pipeline writes or compares: plain YAML scalars read the way a rule's values are read (wildcards
// `*` and `?`, `\` escaping them), and a Sigma string shown as plain text the way pySigma compares it.
import { parseSigmaString } from '../parse/sigmaString.js';
import type { SigmaString, SigmaValue } from '../types.js';

/** A Sigma string as plain text: wildcards as `*` and `?`, a literal `*` or `?` escaped with `\` (pySigma's str()). */
export function pySigmaText(value: SigmaString): string {
  return value.parts.map((part) => (typeof part === 'string' ? part.replace(/[*?]/g, '\\$&') : part.wildcard)).join('');
}

/** A value written in a pipeline (add_condition, set_value) as a Sigma value. */
export function scalarValue(value: unknown): SigmaValue {
  if (typeof value === 'string') return parseSigmaString(value);
  if (typeof value === 'number') return { type: 'number', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  return { type: 'null' };
}

/** Whether two Sigma values are the same value (pySigma's equality: strings by their parts, numbers by value). */
export function sameValue(a: SigmaValue, b: SigmaValue): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'string' && b.type === 'string')
    return a.parts.length === b.parts.length && a.parts.every((part, i) => {
      const other = b.parts[i]!;
      return typeof part === 'string' ? part === other : typeof other !== 'string' && other.wildcard === part.wildcard;
    });
  return JSON.stringify(a) === JSON.stringify(b);
}
