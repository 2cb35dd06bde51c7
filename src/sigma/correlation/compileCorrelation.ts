import { formatDuration } from '../../util/duration.js';
import { mapFieldName } from '../pipeline/applyPipeline.js';
import type { SigmaPipeline } from '../pipeline/types.js';
import { compileRule } from '../compileRule.js';
import { SigmaRefused } from '../refused.js';
import type { CompiledSigma, SigmaCorrelation, SigmaCorrelationCondition, SigmaDocument, SigmaOutput, SigmaRule } from '../types.js';
import { correlationCondition } from './condition.js';

/** One referenced rule: how the correlation names it, the rule, and its query clause after the pipeline. */
interface Referenced {
  ref: string;
  rule: SigmaRule;
  clause: Record<string, unknown>;
  fields: string[];
}

/**
 * A correlation rule as an alert: the referenced rules' queries ORed (temporal: one named filter each), the
 * condition of the rule type that means it (frequency, flatline, cardinality, temporal), and the group-by fields
 * as the pipeline maps them. Throws SigmaRefused for what no rule type means exactly (see docs/sigma-correlations.md).
 */
export function compileCorrelation(
  correlation: SigmaCorrelation,
  lookup: (idOrName: string) => SigmaDocument | undefined,
  pipeline: SigmaPipeline,
  output: SigmaOutput,
): Omit<CompiledSigma, 'meta' | 'inputs'> {
  const rules = correlation.rules.map((ref, i) => referenced(ref, i, lookup, pipeline, output));
  const groupBy = correlation.groupBy.map((field, i) => oneField(field, rules, correlation, pipeline, ['correlation', 'group-by', i]));
  const timeframe = formatDuration(correlation.timespan);
  const fields = new Set([...rules.flatMap((r) => r.fields), ...groupBy]);
  let condition: Record<string, unknown>;
  if (correlation.type === 'temporal' || correlation.type === 'temporal_ordered') {
    condition = temporalCondition(correlation, rules, timeframe);
  } else {
    const counted = correlation.type === 'value_count' ? countedField(correlation.condition, rules, correlation, pipeline) : undefined;
    if (counted) fields.add(counted);
    condition = correlationCondition(correlation.type, correlation.condition ?? {}, timeframe, counted);
  }
  const query = rules.length === 1 ? rules[0]!.clause : { bool: { should: rules.map((r) => r.clause), minimum_should_match: 1 } };
  return { query: { query }, condition, ...(groupBy.length ? { group_by: groupBy } : {}), fields: [...fields] };
}

/** The rule `ref` names, through the pipeline and the output; refused when it is missing or a correlation (chaining). */
function referenced(ref: string, i: number, lookup: (idOrName: string) => SigmaDocument | undefined, pipeline: SigmaPipeline, output: SigmaOutput): Referenced {
  const doc = lookup(ref);
  const path = ['correlation', 'rules', i];
  if (!doc) throw new SigmaRefused(`the correlation refers to rule '${ref}', which is not in this file: put the rule in the same file (its own YAML document after ---) with that id or name`, path);
  if (doc.kind === 'correlation') {
    throw new SigmaRefused(`the correlation refers to another correlation ('${ref}'): chained correlations are not supported; correlate the rules that one refers to directly, or alert on it alone`, path);
  }
  const { clause, fields } = compileRule(doc, pipeline, output);
  return { ref, rule: doc, clause, fields };
}

/** A correlation's field (group-by entry or alias) as one field name that every referenced rule maps it to. */
function oneField(field: string, rules: Referenced[], correlation: SigmaCorrelation, pipeline: SigmaPipeline, path: (string | number)[]): string {
  const alias = Object.hasOwn(correlation.aliases, field) ? correlation.aliases[field] : undefined;
  const names = new Set<string>();
  for (const { ref, rule } of rules) {
    let source = field;
    if (alias) {
      const own = [rule.meta.name, rule.meta.id, ref].find((key) => key !== undefined && Object.hasOwn(alias, key));
      if (own === undefined) throw new SigmaRefused(`alias '${field}' names no field for rule '${ref}': add the rule's name under aliases.${field}`, ['correlation', 'aliases', field]);
      source = alias[own]!;
    }
    const mapped = mapFieldName(pipeline, rule, source);
    if (mapped.length !== 1) {
      throw new SigmaRefused(`field '${source}' of rule '${ref}' maps to ${mapped.length ? `several fields (${mapped.join(', ')})` : 'no field'} in the pipeline: a correlation groups and counts by one field; map it to one field in a pipeline file`, path);
    }
    names.add(mapped[0]!);
  }
  if (names.size > 1) {
    throw new SigmaRefused(`'${field}' is the field ${[...names].join(' in one rule, ')} in another after the pipeline: alertcron groups every rule's events by one field name; map them to one field in a pipeline file`, path);
  }
  return [...names][0] ?? field;
}

/** value_count's counted field, mapped like a group-by field. */
function countedField(condition: SigmaCorrelationCondition | undefined, rules: Referenced[], correlation: SigmaCorrelation, pipeline: SigmaPipeline): string {
  if (!condition?.field) throw new SigmaRefused('a value_count correlation needs condition.field: the field whose distinct values are counted', ['correlation', 'condition']);
  return oneField(condition.field, rules, correlation, pipeline, ['correlation', 'condition', 'field']);
}

/** temporal / temporal_ordered: every referenced rule one named filter (pySigma's default condition: all of them). */
function temporalCondition(correlation: SigmaCorrelation, rules: Referenced[], timeframe: string): Record<string, unknown> {
  const { condition } = correlation;
  const all = rules.length;
  if (condition && !(condition.gte === all && Object.keys(condition).every((k) => k === 'gte' || k === 'field'))) {
    throw new SigmaRefused(`a temporal correlation fires when all its ${all} rules match (condition gte: ${all}, the default): other conditions (some of the rules) are not supported; remove the condition or list only the rules that must all match`, ['correlation', 'condition']);
  }
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.ref)) throw new SigmaRefused(`rule '${r.ref}' is listed twice: list each rule once`, ['correlation', 'rules', i]);
    if (correlation.type === 'temporal_ordered' && /^\d+$/.test(r.ref)) {
      throw new SigmaRefused(`rule '${r.ref}' is referred to by a whole number, which loses its place in the order: refer to it by a name with a letter in it (name: in the rule)`, ['correlation', 'rules', i]);
    }
    seen.add(r.ref);
  });
  // fromEntries makes every name an own key (a rule named __proto__ included).
  const filters = Object.fromEntries(rules.map((r) => [r.ref, { query: r.clause }]));
  return { type: 'temporal', timeframe, ordered: correlation.type === 'temporal_ordered', rules: filters };
}
