// STAND-IN (d4, temporary): replaced by d3's applyPipeline.
import type { SigmaNode, SigmaRule } from '../types.js';
import type { SigmaPipeline } from './types.js';

/** Stand-in: renames fields. */
export function applyPipeline(pipeline: SigmaPipeline, rule: SigmaRule): SigmaRule {
  const map = (n: SigmaNode): SigmaNode => n.type === 'match' ? { ...n, field: n.field && (pipeline.fields[n.field] ?? n.field) } : n.type === 'not' ? { type: 'not', item: map(n.item) } : { type: n.type, items: n.items.map(map) };
  return { ...rule, condition: map(rule.condition) };
}
