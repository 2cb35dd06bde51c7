// STAND-IN (d4, temporary): replaced by d2's outputs.
import type { SigmaNode } from '../types.js';

/** Stand-in DSL. */
export function toDsl(n: SigmaNode): Record<string, unknown> {
  if (n.type === 'and') return { bool: { must: n.items.map(toDsl) } };
  if (n.type === 'or') return { bool: { should: n.items.map(toDsl), minimum_should_match: 1 } };
  if (n.type === 'not') return { bool: { must_not: [toDsl(n.item)] } };
  const v = n.value;
  if (v.type === 'number') return { term: { [n.field!]: v.value } };
  if (v.type !== 'string') throw new Error('stand-in');
  const text = v.parts.map((p) => (typeof p === 'string' ? p.replace(/[*?\\]/g, '\\$&') : p.wildcard)).join('');
  return { wildcard: { [n.field!]: { value: text, case_insensitive: true } } };
}

/** Stand-in fields. */
export function nodeFields(n: SigmaNode): string[] {
  const out = new Set<string>();
  const walk = (x: SigmaNode): void => { if (x.type === 'match') { if (x.field) out.add(x.field); } else if (x.type === 'not') walk(x.item); else x.items.forEach(walk); };
  walk(n);
  return [...out];
}
