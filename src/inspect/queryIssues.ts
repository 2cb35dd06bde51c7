import type { Window } from '../model/window.js';
import { buildSearch } from '../sources/elasticsearch/buildSearch.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import { errorReason, indexPath, type ClusterClient } from './clusterClient.js';
import type { AlertIssue } from './mappingIssues.js';
import { oneLine } from '../util/text.js';
import { describeClusterError, withoutRepetition } from '../sources/elasticsearch/esError.js';

const LENIENT = 'ignore_unavailable=true&allow_no_indices=true';

/**
 * Asks the cluster whether an alert's query parses (`_validate/query`, which builds it on a shard without running
 * it), then (unless `searchToo` is false) sends the alert's real search over `window` with size 0, which also
 * checks its aggregations.
 */
export async function queryIssues(client: ClusterClient, alert: SearchAlertDef, window: Window, queryFile?: string, searchToo = true): Promise<AlertIssue[]> {
  const where = queryFile ? ` (${queryFile})` : '';
  const validated = await client.call('POST', `/${indexPath(alert.index)}/_validate/query?explain=true&${LENIENT}`, { query: alert.query.query ?? { match_all: {} } });
  const body = validated.body as { valid?: boolean; error?: unknown; explanations?: { valid?: boolean; error?: string }[] } | undefined;
  if (validated.status >= 300 || body?.valid === false) {
    const text = typeof body?.error === 'string' ? body.error : body?.explanations?.find((e) => e.valid === false)?.error;
    const reason = text !== undefined ? summarizeJavaError(text) : (errorReason(body) ?? `HTTP ${validated.status}`);
    return [{ path: 'query', message: `the cluster rejects the query${where}: ${reason}` }];
  }
  if (!searchToo) return [];
  const search = buildSearch(alert, window);
  const searched = await client.call('POST', `/${indexPath(alert.index)}/_search?${LENIENT}`, { ...search.body, size: 0, track_total_hits: false });
  const result = searched.body as { _shards?: { failed?: number; failures?: { reason?: { type?: string; reason?: string } }[] } } | undefined;
  if (searched.status >= 300) return [{ path: 'query', message: `the cluster rejects the alert's search${where}: ${errorReason(searched.body) ?? `HTTP ${searched.status}`}` }];
  const failure = result?._shards?.failed ? result._shards.failures?.[0]?.reason : undefined;
  if (failure) return [{ path: 'query', message: `the alert's search fails on ${result!._shards!.failed} shard(s)${where}: ${describeClusterError(failure)}` }];
  return [];
}

/**
 * Shortens a Java exception chain (`XException[reason]; nested: YException[cause]; ...`) to its first reason and,
 * when it differs, its deepest nested one (the root cause), each on one line, without their repetition; any text is
 * one bounded line, control characters and escapes removed.
 */
export function summarizeJavaError(text: string): string {
  // Java's own list ends at ";;" (the stack's class names follow); each "; nested: " part is one cause.
  const reasons = text
    .split(';; ')[0]!
    .split('; nested: ')
    .filter((part) => /[A-Za-z]+Exception\[/.test(part))
    .map((part) => {
      const inner = part.slice(part.search(/[A-Za-z]+Exception\[/)).replace(/^[A-Za-z]+Exception\[/, '');
      const line = inner.split('\n')[0]!;
      return oneLine(withoutRepetition((line === inner ? line.replace(/\]$/, '') : line).trim()), 300);
    });
  if (!reasons.length) return oneLine(text, 300);
  const root = reasons[reasons.length - 1]!;
  return reasons[0]!.includes(root) ? reasons[0]! : `${reasons[0]} (caused by: ${root})`;
}
