import { stringify } from '../../util/template.js';
import { oneLine } from '../../util/text.js';

/** The parts of an Elasticsearch/OpenSearch error object this reads. */
interface EsError {
  type?: string;
  reason?: string;
  caused_by?: EsError;
  root_cause?: EsError[];
  failed_shards?: { reason?: EsError }[];
}

/**
 * The cluster's error object in one line: its type and reason, then what caused it when that says more (the first
 * root cause, and the deepest `caused_by` of the error or of its first failed shard: the parser's own words under
 * "all shards failed" or "failed to parse field"). Run, validate and test all describe the cluster's errors with it.
 */
export function describeClusterError(error: unknown): string {
  if (typeof error === 'string') return oneLine(withoutRepetition(error), 300);
  const e = (error && typeof error === 'object' ? error : {}) as EsError;
  const main = phrase(e);
  let deepest: EsError = e.caused_by ? e : (e.failed_shards?.[0]?.reason ?? e.root_cause?.[0] ?? e);
  for (let depth = 0; deepest.caused_by && depth < 20; depth++) deepest = deepest.caused_by;
  const causes: string[] = [];
  for (const cause of [e.root_cause?.[0], deepest]) {
    if (cause && typeof cause === 'object' && cause.reason && ![main, ...causes].some((told) => told.includes(reasonOf(cause)))) causes.push(phrase(cause));
  }
  return causes.length ? `${main} (${causes.join(', caused by ')})` : main;
}

/** `type: reason`, the reason's first line only, cut to 300 characters, control characters and escapes removed. */
function phrase(error: EsError): string {
  return `${oneLine(stringify(error.type ?? 'error'), 100)}: ${reasonOf(error)}`.trim();
}

function reasonOf(error: EsError): string {
  return oneLine(withoutRepetition(stringify(error.reason ?? '').split('\n')[0]!.trim()), 300);
}

/** A reason without the copy of itself the cluster sometimes appends (`failed to parse X: [failed to parse X]`). */
export function withoutRepetition(reason: string): string {
  const repeated = /^(.*): \[(.*)\]$/s.exec(reason);
  return repeated && repeated[1]!.includes(repeated[2]!) ? repeated[1]! : reason;
}
