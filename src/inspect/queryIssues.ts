import type { Window } from '../model/window.js';
import { buildSearch } from '../sources/elasticsearch/buildSearch.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import { errorReason, indexPath, type ClusterClient } from './clusterClient.js';
import type { AlertIssue } from './mappingIssues.js';
import { cutText } from '../util/text.js';

const LENIENT = 'ignore_unavailable=true&allow_no_indices=true';

/**
 * Asks the cluster whether an alert's query parses (`_validate/query`, which builds it on a shard without running
 * it), then (unless `searchToo` is false) sends the alert's real search over `window` with size 0, which also
 * checks its aggregations.
 */
export async function queryIssues(client: ClusterClient, alert: SearchAlertDef, window: Window, queryFile?: string, searchToo = true): Promise<AlertIssue[]> {
  const where = queryFile ? ` (${queryFile})` : '';
  const validated = await client.call('POST', `/${indexPath(alert.index)}/_validate/query?explain=true&${LENIENT}`, { query: alert.query.query ?? { match_all: {} } });
  const body = validated.body as { valid?: boolean; error?: string; explanations?: { valid?: boolean; error?: string }[] } | undefined;
  if (validated.status >= 300 || body?.valid === false) {
    const reason = body?.error ?? body?.explanations?.find((e) => e.valid === false)?.error ?? errorReason(body) ?? `HTTP ${validated.status}`;
    return [{ path: 'query', message: `the cluster rejects the query${where}: ${summarizeJavaError(reason)}` }];
  }
  if (!searchToo) return [];
  const search = buildSearch(alert, window);
  const searched = await client.call('POST', `/${indexPath(alert.index)}/_search?${LENIENT}`, { ...search.body, size: 0, track_total_hits: false });
  const result = searched.body as { _shards?: { failed?: number; failures?: { reason?: { type?: string; reason?: string } }[] } } | undefined;
  if (searched.status >= 300) return [{ path: 'query', message: `the cluster rejects the alert's search${where}: ${errorReason(searched.body) ?? `HTTP ${searched.status}`}` }];
  const failure = result?._shards?.failed ? result._shards.failures?.[0]?.reason : undefined;
  if (failure) return [{ path: 'query', message: `the alert's search fails on ${result!._shards!.failed} shard(s)${where}: ${failure.type}: ${failure.reason}` }];
  return [];
}

/** Shortens a Java exception chain (`XException[reason]; nested: ...`) to its first reason, without its repetition. */
export function summarizeJavaError(text: string): string {
  const start = text.search(/[A-Za-z]+Exception\[/);
  if (start < 0) return cutText(text, 300);
  const open = text.indexOf('[', start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']' && --depth === 0) {
      const inner = text.slice(open + 1, i);
      const repeated = /^(.*): \[(.*)\]$/.exec(inner);
      return cutText(repeated && repeated[1]!.includes(repeated[2]!) ? repeated[1]! : inner, 300);
    }
  }
  return cutText(text, 300);
}
