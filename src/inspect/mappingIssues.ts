import { isIP } from 'node:net';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import { ruleTypeOf } from '../rules/registry.js';
import type { ConditionField } from '../rules/types.js';
import type { FieldCaps } from './fieldCaps.js';

/** Something about an alert that the cluster contradicts, at the alert key it concerns. */
export interface AlertIssue {
  path: 'index' | 'timestamp_field' | 'group_by' | 'query' | 'condition' | 'sigma';
  /** The key under path it concerns (a condition's compare_key ...). */
  key?: string;
  message: string;
}

const DATE_TYPES = new Set(['date', 'date_nanos']);
/** Field types the cluster computes averages and sums on. */
const NUMERIC_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long', ...DATE_TYPES]);

/** The fields an alert needs the mapping of (with `.keyword` beside group_by, for a hint). */
export function fieldsToCheck(alert: SearchAlertDef): string[] {
  const named = [...(alert.group_by ?? []), ...conditionFields(alert).map((f) => f.field)];
  return [alert.timestamp_field, ...named.flatMap((field) => [field, `${field}.keyword`]), ...(alert.sigma_rule?.fields ?? [])];
}

/** Compares an alert with the mapping: its index pattern matches something, its time field is a date, its group_by can be grouped. */
export function mappingIssues(alert: SearchAlertDef, caps: FieldCaps): AlertIssue[] {
  if (caps.error) return [{ path: 'index', message: `the cluster refuses index "${alert.index}": ${caps.error}` }];
  if (caps.indices && caps.indices.length === 0) {
    return [{ path: 'index', message: `index pattern "${alert.index}" matches no index, alias or data stream on the cluster` }];
  }
  const issues: AlertIssue[] = [];
  const where = `the indices matching "${alert.index}"`;
  const time = caps.fields[alert.timestamp_field];
  if (!time) issues.push({ path: 'timestamp_field', message: `timestamp_field "${alert.timestamp_field}" is not a field of ${where}: the time window would match nothing` });
  else if (!time.some((t) => DATE_TYPES.has(t.type))) {
    issues.push({ path: 'timestamp_field', message: `timestamp_field "${alert.timestamp_field}" is a ${time.map((t) => t.type).join('/')} field, not a date, in ${where}` });
  }
  for (const field of alert.group_by ?? []) {
    const problem = aggregatableProblem(caps, field, where, 'it cannot be grouped by');
    if (problem) issues.push({ path: 'group_by', message: `group_by "${field}" ${problem}` });
  }
  for (const { key, field, numeric } of conditionFields(alert)) {
    const problem = aggregatableProblem(caps, field, where, 'the cluster cannot count or compare its values exactly');
    if (problem) issues.push({ path: 'condition', key, message: `${key} "${field}" ${problem}` });
    else if (numeric) {
      const other = (caps.fields[field] ?? []).filter((t) => !NUMERIC_TYPES.has(t.type)).map((t) => t.type);
      if (other.length) issues.push({ path: 'condition', key, message: `${key} "${field}" is a ${other.join('/')} field in ${where}: the cluster computes this only on numbers (map it as a number, or name a numeric field)` });
    }
  }
  const sigma = sigmaFieldsIssue(alert, caps, where);
  if (sigma) issues.push(sigma);
  const ip = alert.sigma_rule ? sigmaIpIssue(alert.query, caps, where) : undefined;
  return ip ? [...issues, ip] : issues;
}

/**
 * The ip-typed fields a Sigma query compares with text or a pattern (a term that is no address or network, a prefix,
 * wildcard or regexp): the engine fails the whole search on them. The pipeline's field_types fixes it.
 */
function sigmaIpIssue(query: unknown, caps: FieldCaps, where: string): AlertIssue | undefined {
  const isIpField = (field: string): boolean => (caps.fields[field] ?? []).some((t) => t.type === 'ip');
  const address = (value: unknown): boolean => typeof value === 'string' && isIP(value.replace(/\/\d{1,3}$/, '')) !== 0;
  const found = new Map<string, string>();
  const stack: unknown[] = [query];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (['term', 'terms', 'prefix', 'wildcard', 'regexp'].includes(key) && value && typeof value === 'object' && !Array.isArray(value)) {
          for (const [field, spec] of Object.entries(value)) {
            if (!isIpField(field) || found.has(field)) continue;
            const operand = spec && typeof spec === 'object' && !Array.isArray(spec) ? (spec as { value?: unknown }).value : spec;
            const values = Array.isArray(operand) ? operand : [operand];
            const caseInsensitive = key === 'term' && (spec as { case_insensitive?: unknown } | null)?.case_insensitive === true;
            if (caseInsensitive || (key === 'term' || key === 'terms' ? values.some((v) => typeof v === 'string' && !address(v)) : true)) found.set(field, `${key} ${JSON.stringify(values.find((v) => !address(v)) ?? values[0])}`);
          }
        } else stack.push(value);
      }
    }
  }
  if (!found.size) return undefined;
  const list = [...found].map(([field, what]) => `"${field}" (${what})`).join(', ');
  return {
    path: 'sigma',
    message: `the Sigma query compares ${found.size === 1 ? 'field' : 'fields'} ${list} with text, but ${found.size === 1 ? 'it is an ip field' : 'they are ip fields'} in ${where}: the cluster fails the whole search; declare ${found.size === 1 ? 'it' : 'them'} in the pipeline's field_types (e.g. field_types: {${[...found.keys()][0]}: ip}) so strings there are searched as addresses`,
  };
}

/** The fields a Sigma alert's query reads (after its pipeline) that the mapping lacks: such a condition can never match. */
function sigmaFieldsIssue(alert: SearchAlertDef, caps: FieldCaps, where: string): AlertIssue | undefined {
  const missing = (alert.sigma_rule?.fields ?? []).filter((field) => !caps.fields[field]);
  if (!missing.length) return undefined;
  const caseless = missing.some((field) => field.endsWith('.caseless'));
  const hint = caseless ? ': a .caseless field exists only with the ECS mapping of Elastic\'s index templates (install them, or choose a pipeline without .caseless, e.g. a pipeline file of your own)' : ': the pipeline maps the rule\'s fields to names these events do not carry (choose the pipeline of your ingestion, or map the fields in a pipeline file)';
  return { path: 'sigma', message: `the Sigma rule reads ${missing.length === 1 ? 'field' : 'fields'} ${missing.map((f) => `"${f}"`).join(', ')}, not in the mapping of ${where}${hint}` };
}

/** The fields the alert's condition names (compare_key, fields ...). */
function conditionFields(alert: SearchAlertDef): ConditionField[] {
  return ruleTypeOf(alert.condition).fields?.(alert.condition) ?? [];
}

/** Why a field cannot be aggregated on (absent, or text), with a hint at its .keyword sibling; undefined when it can. */
function aggregatableProblem(caps: FieldCaps, field: string, where: string, consequence: string): string | undefined {
  const types = caps.fields[field];
  const keyword = caps.fields[`${field}.keyword`]?.every((t) => t.aggregatable);
  const hint = keyword ? ` (use "${field}.keyword")` : '';
  if (!types) return `is not a field of ${where}${hint}`;
  if (!types.some((t) => !t.aggregatable)) return undefined;
  return `is a ${types.filter((t) => !t.aggregatable).map((t) => t.type).join('/')} field: ${consequence} (not aggregatable)${hint}`;
}
