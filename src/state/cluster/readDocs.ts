import type { StateClient } from './client.js';
import { STATE_KINDS, type StateDoc } from './docs.js';

/** A document as read: its source, and the sequence number and primary term its next write must match. */
export interface ReadHit {
  doc: StateDoc & Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
}

/** Documents per page when reading the state. */
const PAGE = 10_000;

/** Every kind a command or `status` reads: the state's documents, the leases (lease:run too) and the heartbeats. */
export const EVERYTHING = { terms: { kind: [...STATE_KINDS, 'part', 'host', 'lease'] } };

/** What every run reads whatever it holds: the meta document, silences, queued operations, the leases (lease:run too) and heartbeats. */
export const SHARED = { terms: { kind: ['meta', 'silence', 'op', 'part', 'host', 'lease'] } };

/** The documents of the partitions a run holds (alerts, pending items, receipts); the coordinator also reads every receipt and every queued ask. */
export function heldQuery(partitions: readonly number[], coordinator: boolean): unknown {
  const should: unknown[] = [{ bool: { filter: [{ terms: { kind: ['alert', 'pending', 'sent'] } }, { terms: { partition: partitions } }] } }];
  if (coordinator) should.push({ terms: { kind: ['sent', 'ask'] } });
  return { bool: { should, minimum_should_match: 1 } };
}

/**
 * Refreshes the small state index (a search sees only refreshed writes); false when the index does not exist. A
 * refresh that did not say it reached every shard may leave a search reading an older state: the cluster failed.
 */
export async function refreshState(client: StateClient, index: string): Promise<boolean> {
  const refreshed = await client.send('POST', `/${index}/_refresh`);
  if (refreshed.status === 404) return false;
  const shards = refreshed.body?._shards;
  if (typeof shards?.total !== 'number' || shards.failed !== 0) throw client.failed(`POST /${index}/_refresh answered HTTP ${refreshed.status} without refreshing every shard`);
  return true;
}

/** Reads the documents matching `query` (paged by id; the caller refreshed the index). */
export async function searchState(client: StateClient, index: string, query: unknown): Promise<Map<string, ReadHit>> {
  const docs = new Map<string, ReadHit>();
  let after: unknown[] | undefined;
  for (;;) {
    const answer = await client.send('POST', `/${index}/_search`, {
      size: PAGE,
      query,
      seq_no_primary_term: true,
      sort: [{ id: 'asc' }],
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    });
    if (answer.status === 404) return docs;
    // An answer without hits is not "no state" (that would start afresh and tell every key again): the cluster failed.
    if (!Array.isArray(answer.body?.hits?.hits)) throw client.failed(`POST /${index}/_search answered HTTP ${answer.status} without hits`);
    const hits = answer.body.hits.hits as { _id: string; _source: ReadHit['doc']; _seq_no: number; _primary_term: number; sort: unknown[] }[];
    for (const hit of hits) docs.set(hit._id, { doc: hit._source, seqNo: hit._seq_no, primaryTerm: hit._primary_term });
    if (hits.length < PAGE) return docs;
    after = hits[hits.length - 1]!.sort;
  }
}
