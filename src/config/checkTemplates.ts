import { FIELDS_NAMESPACE, OWN_NAMES, OWN_NAMESPACE, SIGMA_NAMESPACE, isOwnName } from '../render/templateScope.js';
import { templatePaths } from '../util/template.js';
import type { AlertDef } from './types.js';

/** A template problem found without searching: where in the alert file, and what is wrong. */
export interface TemplateProblem {
  where: (string | number)[];
  message: string;
}

/** The fields of one bucket, by aggregation type (evaluateBuckets adds `value` and the sub-aggregations' values). */
const BUCKET_FIELDS: Record<string, string[]> = {
  terms: ['key', 'key_as_string', 'doc_count'],
  rare_terms: ['key', 'key_as_string', 'doc_count'],
  multi_terms: ['key', 'key_as_string', 'doc_count'],
  significant_terms: ['key', 'key_as_string', 'doc_count', 'score', 'bg_count'],
  significant_text: ['key', 'doc_count', 'score', 'bg_count'],
  date_histogram: ['key', 'key_as_string', 'doc_count'],
  auto_date_histogram: ['key', 'key_as_string', 'doc_count'],
  histogram: ['key', 'key_as_string', 'doc_count'],
  variable_width_histogram: ['key', 'key_as_string', 'min', 'max', 'doc_count'],
  range: ['key', 'from', 'to', 'from_as_string', 'to_as_string', 'doc_count'],
  date_range: ['key', 'from', 'to', 'from_as_string', 'to_as_string', 'doc_count'],
  ip_range: ['key', 'from', 'to', 'doc_count'],
  composite: ['key', 'doc_count'],
  filters: ['key', 'doc_count'],
  adjacency_matrix: ['key', 'doc_count'],
  geohash_grid: ['key', 'doc_count'],
  geotile_grid: ['key', 'doc_count'],
};

/**
 * Template paths of an alert that no finding can have, as far as is known without searching: an unknown
 * `{{alertcron.X}}`, and for a buckets condition a name that is not a field of the aggregation's buckets.
 */
export function checkTemplates(alert: AlertDef): TemplateProblem[] {
  const templates: [(string | number)[], string | undefined][] = [[['title'], alert.title], [['message'], alert.message]];
  const feedback = alert.source === 'thehive' ? alert.feedback : undefined;
  for (const [choice, t] of Object.entries(feedback?.templates ?? {})) {
    templates.push([['feedback', 'templates', choice, 'title'], t.title], [['feedback', 'templates', choice, 'message'], t.message]);
  }
  const bucketFields = alert.source === 'elasticsearch' && alert.condition.type === 'buckets' ? fieldsOfBuckets(alert.query, alert.condition.path) : undefined;
  // Without bucket fields or Sigma values, only a `{{alertcron.X}}` can be wrong: a template that has none is not taken apart.
  if (!bucketFields && !alert.sigma && !templates.some(([, template]) => template?.includes(`${OWN_NAMESPACE}.`))) return [];
  const problems: TemplateProblem[] = [];
  for (const [where, template] of templates) {
    for (const path of templatePaths(template ?? '')) {
      const message = sigmaPathProblem(path, alert.sigma) ?? checkPath(path, bucketFields);
      if (message) problems.push({ where, message: `names {{${path}}}, but ${message}` });
    }
  }
  return problems;
}

/** `{{sigma.X}}` in a Sigma alert where X is no name of the rule's metadata (it would render empty). */
function sigmaPathProblem(path: string, sigma: Record<string, string> | undefined): string | undefined {
  if (!sigma || !path.startsWith(`${SIGMA_NAMESPACE}.`)) return undefined;
  return Object.hasOwn(sigma, path.slice(SIGMA_NAMESPACE.length + 1)) ? undefined : `a Sigma rule's values are ${Object.keys(sigma).map((name) => `sigma.${name}`).join(', ')}`;
}

function checkPath(path: string, bucketFields: string[] | undefined): string | undefined {
  const [head, ...tail] = path.split('.');
  const rest = tail.join('.');
  if (head === OWN_NAMESPACE && tail.length) {
    return isOwnName(rest) ? undefined : `alertcron's own values are ${OWN_NAMES.join(', ')}`;
  }
  if (!bucketFields || path === FIELDS_NAMESPACE || (!tail.length && isOwnName(path))) return undefined;
  const candidates = head === FIELDS_NAMESPACE && tail.length ? [rest, path] : [path];
  const known = (field: string) => bucketFields.some((name) => field === name || field.startsWith(`${name}.`));
  if (candidates.some(known)) return undefined;
  return `a finding of this buckets condition has only the bucket's fields: ${bucketFields.join(', ')} (not an event's fields)`;
}

/** The fields a bucket at the condition's path can have, or undefined when the query does not tell. */
function fieldsOfBuckets(query: Record<string, unknown>, conditionPath: string): string[] | undefined {
  let aggs = (query.aggs ?? query.aggregations) as Record<string, Record<string, unknown>> | undefined;
  let node: Record<string, unknown> | undefined;
  for (const name of conditionPath.replace(/\.buckets$/, '').split('.')) {
    node = aggs && typeof aggs === 'object' && Object.prototype.hasOwnProperty.call(aggs, name) ? aggs[name] : undefined;
    if (!node || typeof node !== 'object') return undefined;
    aggs = (node.aggs ?? node.aggregations) as Record<string, Record<string, unknown>> | undefined;
  }
  const type = Object.keys(node ?? {}).find((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
  const own = type ? BUCKET_FIELDS[type] : undefined;
  if (!own) return undefined;
  return [...own, 'value', ...Object.keys(aggs && typeof aggs === 'object' ? aggs : {})];
}
