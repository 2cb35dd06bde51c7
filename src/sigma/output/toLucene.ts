// STAND-IN (d4, temporary): replaced by d2's outputs.
import type { SigmaNode } from '../types.js';

/** Stand-in Lucene. */
export function toLucene(n: SigmaNode): string {
  if (n.type === 'and') return n.items.map(toLucene).map((x) => `(${x})`).join(' AND ');
  if (n.type === 'or') return n.items.map(toLucene).map((x) => `(${x})`).join(' OR ');
  if (n.type === 'not') return `NOT (${toLucene(n.item)})`;
  const v = n.value;
  if (v.type !== 'string') return `${n.field}:${(v as { value: number }).value}`;
  return `${n.field!.replace(/\./g, '\\.')}:${v.parts.map((p) => (typeof p === 'string' ? p.replace(/[^\w]/g, '\\$&') : p.wildcard)).join('')}`;
}

/** Stand-in wrapper. */
export function luceneQuery(lucene: string): Record<string, unknown> {
  return { bool: { must: [{ query_string: { query: lucene, analyze_wildcard: true } }] } };
}
