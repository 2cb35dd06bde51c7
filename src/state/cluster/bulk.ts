import { ExitCode, UserError } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import type { StateClient } from './client.js';

/** One action of a `_bulk` request: its metadata line and, except for a delete, its document. */
export type BulkOp =
  | { op: 'create' | 'index'; id: string; doc: unknown; seqNo?: number; primaryTerm?: number }
  /** A partial update (its fields replace those of the stored document; objects are merged), with if_seq_no/if_primary_term. */
  | { op: 'update'; id: string; doc: Record<string, unknown>; seqNo: number; primaryTerm: number }
  | { op: 'delete'; id: string; seqNo: number; primaryTerm: number };

/** How one action ended: its status, the new sequence number and primary term, or the error's type. */
export interface BulkResult {
  id: string;
  status: number;
  seqNo?: number;
  primaryTerm?: number;
  error?: string;
}

/** A `_bulk` request the cluster refused as a whole (HTTP 400): none of its actions was written (exit 6, as a state that cannot be written). */
export class BulkRefusedError extends UserError {
  constructor(count: number, body: any) {
    const reason = body?.error?.reason ?? body?.error?.type ?? (typeof body?.error === 'string' ? body.error : 'no reason given');
    // The document named in full could be long (the very reason it was refused): its first 80 characters name it.
    const named = redact(String(reason)).replace(/\[([^\]]{80})[^\]]+\]/g, '[$1...]').slice(0, 600);
    super(`the state cluster refused all ${count} writes of one request (HTTP 400: ${named}); nothing was written`, ExitCode.cannotWrite);
  }
}

/** Sends the actions in one `_bulk` request (none: no request) and returns each one's result, in order. */
export async function bulk(client: StateClient, index: string, ops: BulkOp[]): Promise<BulkResult[]> {
  if (!ops.length) return [];
  const lines: unknown[] = [];
  for (const op of ops) {
    const occ = op.seqNo !== undefined ? { if_seq_no: op.seqNo, if_primary_term: op.primaryTerm } : {};
    lines.push({ [op.op]: { _index: index, _id: op.id, ...occ } });
    if (op.op === 'update') lines.push({ doc: op.doc });
    else if (op.op !== 'delete') lines.push(op.doc);
  }
  client.docs += ops.length;
  const answer = await client.send('POST', '/_bulk', lines, { write: true, ndjson: true, badRequestIsAnswer: true });
  // A request refused as a whole before any of it was written (a document id too long ...): the request's fault, not
  // the cluster being out of reach, so not reported as the cluster lost; nothing of it was written.
  if (answer.status === 400) throw new BulkRefusedError(ops.length, answer.body);
  const items = (answer.body?.items ?? []) as Record<string, { _id: string; status: number; _seq_no?: number; _primary_term?: number; error?: { type?: string; reason?: string } }>[];
  // Each action's own status is what counts: an answer that does not account for every action (a proxy, a cut
  // response) leaves the missing ones unknown, and unknown is not success.
  if (items.length !== ops.length) throw client.failed(`the state cluster answered ${items.length} results for ${ops.length} writes; treating them all as not written`);
  return items.map((item) => {
    const result = Object.values(item)[0]!;
    return { id: result._id, status: result.status, seqNo: result._seq_no, primaryTerm: result._primary_term, ...(result.error ? { error: `${result.error.type}: ${result.error.reason ?? ''}` } : {}) };
  });
}

/** The results that failed for another reason than a version conflict (409): a mapping or cluster problem. */
export function hardFailures(results: BulkResult[]): BulkResult[] {
  return results.filter((r) => r.status >= 300 && r.status !== 409 && !(r.status === 404 && !r.error));
}
