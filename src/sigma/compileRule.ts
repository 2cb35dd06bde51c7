import { applyPipeline } from './pipeline/applyPipeline.js';
import type { SigmaPipeline } from './pipeline/types.js';
import { luceneQuery, toLucene } from './output/toLucene.js';
import { nodeFields, toDsl } from './output/toDsl.js';
import type { SigmaOutput, SigmaRule } from './types.js';

/** One detection rule through the pipeline into the chosen output: its query clause and the fields it reads. */
export function compileRule(rule: SigmaRule, pipeline: SigmaPipeline, output: SigmaOutput): { clause: Record<string, unknown>; fields: string[]; mapped: SigmaRule } {
  const mapped = applyPipeline(pipeline, rule);
  const clause = output === 'lucene' ? luceneQuery(toLucene(mapped.condition)) : toDsl(mapped.condition, { ipFields: pipeline.ipFields });
  return { clause, fields: nodeFields(mapped.condition), mapped };
}
