import { applyPipeline } from './pipeline/applyPipeline.js';
import type { SigmaPipeline } from './pipeline/types.js';
import { luceneQuery, toLucene } from './output/toLucene.js';
import { DSL_MAX_DEPTH, nodeDepth, nodeFields, toDsl } from './output/toDsl.js';
import { SigmaRefused } from './refused.js';
import type { SigmaOutput, SigmaRule } from './types.js';

/** One detection rule through the pipeline into the chosen output: its query clause and the fields it reads. */
export function compileRule(rule: SigmaRule, pipeline: SigmaPipeline, output: SigmaOutput): { clause: Record<string, unknown>; fields: string[]; mapped: SigmaRule } {
  // The pipeline, both outputs and nodeFields recurse over the tree: a deeper one is refused before it could overflow the stack.
  const tooDeep = (condition: SigmaRule['condition']): void => {
    if (nodeDepth(condition) > DSL_MAX_DEPTH) throw new SigmaRefused(`the condition nests more than ${DSL_MAX_DEPTH} deep: flatten it`);
  };
  tooDeep(rule.condition);
  const mapped = applyPipeline(pipeline, rule);
  tooDeep(mapped.condition);
  const clause = output === 'lucene' ? luceneQuery(toLucene(mapped.condition)) : toDsl(mapped.condition, { ipFields: pipeline.ipFields });
  return { clause, fields: nodeFields(mapped.condition), mapped };
}
