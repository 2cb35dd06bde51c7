import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { SearchRequest, SearchResponse } from '../model/search.js';
import type { Window } from '../model/window.js';
import { PROBLEM_KIND, type ProblemObservation } from '../policy/alertProblems.js';
import { missingTemplatePaths } from '../render/templateFields.js';
import { bucketsOf, describeFields, otherCount } from '../rules/groupKey.js';
import { GROUP_AGG } from '../rules/search.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';

/** Most template paths named in one message. */
const PATHS_SHOWN = 5;

/**
 * What an alert's own search answer shows about whether it can fire, with no request of its own: an index pattern
 * that matches nothing (`_shards.total` 0), hits none of which has a group_by value (no bucket, nothing left out),
 * and, when it has hits, that its timestamp_field works. Each kind it can judge is observed, as a problem or as fine.
 */
export function answerProblems(alert: SearchAlertDef, request: SearchRequest | undefined, response: SearchResponse): ProblemObservation[] {
  const shards = response._shards?.total;
  if (shards === 0) return [{ kind: PROBLEM_KIND.index, message: `index pattern "${alert.index}" matches no index, alias or data stream on the cluster: the alert searches nothing (check the name, or create the index)` }];
  const seen: ProblemObservation[] = typeof shards === 'number' ? [{ kind: PROBLEM_KIND.index }] : [];
  const hits = hitCount(response);
  // The window's range on timestamp_field matched something: the field works.
  if (hits > 0) seen.push({ kind: PROBLEM_KIND.timestamp });
  const group = response.aggregations?.[GROUP_AGG];
  if (alert.group_by && group && typeof group === 'object' && hits > 0 && minDocCount(request) <= 1) {
    const keyless = !bucketsOf(response.aggregations, GROUP_AGG).length && otherCount(response, GROUP_AGG) === 0;
    const fields = describeFields(alert.group_by);
    seen.push(
      keyless
        ? { kind: PROBLEM_KIND.groupBy, message: `${hits} event(s) matched in the window, none with a value in group_by ${fields}: they belong to no key, so nothing can fire (is the field named as the events name it, and mapped as keyword, not text?)` }
        : { kind: PROBLEM_KIND.groupBy },
    );
  }
  const buckets = bucketsProblem(alert, hits, response);
  if (buckets) seen.push(buckets);
  return seen;
}

/** Terms options that may leave every event without a bucket on purpose. */
const NARROWING = ['include', 'exclude', 'min_doc_count'];

/**
 * For a `buckets` condition on a top-level terms aggregation of the query (no include, exclude or min_doc_count):
 * hits but no bucket at its path is a field no hit has (a problem), some bucket is fine; anything else says nothing.
 */
function bucketsProblem(alert: SearchAlertDef, hits: number, response: SearchResponse): ProblemObservation | undefined {
  const condition = alert.condition as { type: string; path?: string };
  if (condition.type !== 'buckets' || !condition.path || hits <= 0) return undefined;
  const name = condition.path.replace(/\.buckets$/, '');
  const defined = ((alert.query?.aggs ?? alert.query?.aggregations) as Record<string, Record<string, Record<string, unknown>>> | undefined)?.[name];
  const terms = defined?.terms ?? defined?.multi_terms;
  if (!terms || typeof terms !== 'object' || NARROWING.some((option) => option in terms)) return undefined;
  const found = (response.aggregations?.[name] as { buckets?: unknown } | undefined)?.buckets;
  if (!Array.isArray(found)) return undefined;
  if (found.length) return { kind: PROBLEM_KIND.buckets };
  return { kind: PROBLEM_KIND.buckets, message: `${hits} event(s) matched in the window, but the aggregation "${name}" (condition path) has no bucket: its field is in no hit, so nothing can fire (is the field named as the events name it, and mapped as keyword?)` };
}

/**
 * Whether the alert's templates name paths that none of this run's findings has (they render empty): a problem, or
 * fine when every path was found; nothing when there are no findings to judge by.
 */
export function templateProblem(alert: AlertBase, findings: Finding[], window: Window): ProblemObservation | undefined {
  if (!findings.length) return undefined;
  const missing = missingTemplatePaths(alert, findings, window);
  if (!missing.length) return { kind: PROBLEM_KIND.template };
  const named = missing.slice(0, PATHS_SHOWN).map((m) => `${m.where} {{${m.path}}}`);
  const more = missing.length > PATHS_SHOWN ? ` and ${missing.length - PATHS_SHOWN} more` : '';
  return { kind: PROBLEM_KIND.template, message: `${named.join(', ')}${more}: none of the ${findings.length} finding(s) has ${missing.length > 1 ? 'these' : 'it'}, so notices show ${missing.length > 1 ? 'them' : 'it'} empty (check the field's name: alertcron test ${alert.name} lists the fields)` };
}

/** The hits a response reports: its total, else the documents it brought. */
function hitCount(response: SearchResponse): number {
  const total = response.hits?.total;
  const value = typeof total === 'number' ? total : total?.value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return Array.isArray(response.hits?.hits) ? response.hits!.hits!.length : 0;
}

/** The group aggregation's min_doc_count in the request (1 when unset): above 1, keys with fewer events have no bucket. */
function minDocCount(request: SearchRequest | undefined): number {
  const aggs = (request?.body.aggs ?? request?.body.aggregations) as Record<string, Record<string, { min_doc_count?: unknown }>> | undefined;
  const group = aggs?.[GROUP_AGG];
  const value = group?.terms?.min_doc_count ?? group?.multi_terms?.min_doc_count;
  return typeof value === 'number' ? value : 1;
}
