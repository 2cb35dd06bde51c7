// pySigma applying pipelines to rules given as text (test/sigma/pipeline_oracle.py), many cases in one process, and
// the tree shapes the pipeline tests compare.
import { join } from 'node:path';
import type { SigmaNode } from '../../src/sigma/types.js';
import { REPO_ROOT } from './project.js';
import { runOracleScript } from './pySigma.js';

/** One case: a rule's YAML and the pipelines, shipped names (resolved by priority) then pipeline YAML texts. */
export interface PipelineCase {
  rule: string;
  pipelines: (string | { yaml: string })[];
}

/** pySigma's answer for a case: the tree, the rule's fields and log source after the pipeline, or its error. */
export interface PipelineAnswer {
  tree?: unknown;
  fields?: string[];
  logsource?: Record<string, string>;
  error?: string;
}

/** Runs pySigma's pipelines over the cases in one process. */
export function runPipelineOracle(cases: PipelineCase[]): Promise<PipelineAnswer[]> {
  return runOracleScript(join(REPO_ROOT, 'test', 'sigma', 'pipeline_oracle.py'), cases);
}

/** A tree without what pySigma's tree after a pipeline does not show (applied item ids, the expansion and item marks). */
export function bareTree(node: SigmaNode): unknown {
  if (node.type === 'match') return { type: 'match', field: node.field, value: node.value };
  if (node.type === 'not') return { type: 'not', item: bareTree(node.item) };
  return { type: node.type, items: node.items.map(bareTree) };
}

/**
 * A tree with nested ORs flattened and sorted. Our parsed tree does not say where one detection item ends: an OR of
 * leaves of one field is read as one item (a value list), so a one-to-many field mapping of `a or b` (two detections
 * of the same field) gives OR(OR(f1=a, f1=b), OR(f2=a, f2=b)) where pySigma gives OR(OR(f1=a, f2=a), OR(f1=b, f2=b)):
 * the same leaves under ORs only, matching the same events. For comparisons with one-to-many mappings only.
 */
export function orFlat(node: unknown): unknown {
  const n = node as { type: string; items?: unknown[]; item?: unknown };
  if (n.type === 'not') return { type: 'not', item: orFlat(n.item) };
  if (n.type === 'and') return { type: 'and', items: n.items!.map(orFlat) };
  if (n.type !== 'or') return node;
  const leaves = n.items!.map(orFlat).flatMap((child) => ((child as { type: string }).type === 'or' ? (child as { items: unknown[] }).items : [child]));
  return { type: 'or', items: leaves.map((leaf) => JSON.stringify(leaf)).sort().map((leaf) => JSON.parse(leaf) as unknown) };
}
