import { createHash } from 'node:crypto';
import { emptyState, LOCAL_SLICES, type StateData } from '../../model/state.js';
import { isPlainObject } from '../../util/plainMap.js';

/** One state document as stored: its kind, its id (also a keyword field, to page by), and the state part it holds. */
export interface StateDoc {
  kind: 'meta' | 'alert' | 'pending' | 'sent' | 'silence' | 'op' | 'ask';
  id: string;
  /** The partition of the alert the document is about (alert, pending and sent documents of the partitioned layout). */
  partition?: number;
  body: unknown;
}

/** The kinds of documents the state is split into (leases, heartbeats and claims live beside them). */
export const STATE_KINDS: readonly StateDoc['kind'][] = ['meta', 'alert', 'pending', 'sent', 'silence', 'op', 'ask'];

/** The mapping of the state index: a few keyword fields to find documents by, the state itself kept as unindexed JSON. */
export const STATE_INDEX_BODY = {
  settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
  mappings: {
    dynamic: 'strict',
    properties: {
      kind: { type: 'keyword' },
      id: { type: 'keyword' },
      holder: { type: 'keyword' },
      token: { type: 'long' },
      until: { type: 'long' },
      released: { type: 'boolean' },
      state: { type: 'keyword' },
      updated_at: { type: 'long' },
      pruned_at: { type: 'long' },
      last_seen: { type: 'long' },
      partition: { type: 'integer' },
      body: { type: 'object', enabled: false },
    },
  },
};

/** The longest document id Elasticsearch and OpenSearch accept, in bytes (a longer one fails the whole `_bulk`). */
export const MAX_DOC_ID_BYTES = 512;

/**
 * The id of the state document `<kind>:<name>`; a name too long for an id (a hand-written item, a key used as an id
 * by mistake) is replaced by its hash, so that one document can never make every write of a run refused.
 */
export function stateDocId(kind: StateDoc['kind'], name: string): string {
  const id = `${kind}:${name}`;
  return Buffer.byteLength(id) <= MAX_DOC_ID_BYTES ? id : `${kind}:#${createHash('sha256').update(name).digest('hex')}`;
}

/**
 * Splits the shared part of the state into documents, one per alert, pending item, sent notice and silence,
 * plus one `meta` for the rest: a run rewrites only the documents it changed. Local slices are left out.
 */
export function toDocs(data: StateData): Map<string, StateDoc> {
  const docs = new Map<string, StateDoc>();
  const add = (kind: StateDoc['kind'], name: string, body: unknown) => {
    const id = stateDocId(kind, name);
    docs.set(id, { kind, id, body });
  };
  const { alerts, pending, sent, silences, ops, asks, ...rest } = data as StateData & Record<string, unknown>;
  const meta: Record<string, unknown> = {};
  for (const [slice, value] of Object.entries(rest)) if (!LOCAL_SLICES.includes(slice) && value !== undefined) meta[slice] = value;
  add('meta', 'state', meta);
  for (const [name, alert] of Object.entries(alerts)) add('alert', name, alert);
  for (const item of pending) add('pending', item.id, item);
  for (const notice of sent) add('sent', notice.id, notice);
  for (const silence of silences) add('silence', silence.id, silence);
  for (const op of ops ?? []) add('op', op.id, op);
  for (const ask of asks ?? []) add('ask', ask.id, ask);
  return docs;
}

/** The slices the meta document may not hold: they have documents of their own, or stay on each host. */
const NOT_IN_META: readonly string[] = ['alerts', 'pending', 'sent', 'silences', 'ops', 'asks', ...LOCAL_SLICES];

/**
 * Puts the documents back together into the state (local slices empty: the caller adds this host's). A document
 * that cannot be part of it (a body that is not an object, a meta document holding what has documents of its own)
 * is given to `aside` and left out; the shape of what each body holds is checked by settleState.
 */
export function fromDocs(docs: Iterable<StateDoc>, aside: (where: string, why: string, value: unknown) => void = () => undefined): StateData {
  const data = emptyState() as StateData & Record<string, unknown>;
  for (const doc of docs) {
    const where = `state document ${JSON.stringify(String(doc?.id))}`;
    if (!isPlainObject(doc) || typeof doc.id !== 'string' || !STATE_KINDS.includes(doc.kind) || !doc.id.startsWith(`${doc.kind}:`)) {
      aside(where, 'it is not a state document (kind and id)', doc);
      continue;
    }
    const body = doc.body as any;
    const name = doc.id.slice(doc.kind.length + 1);
    if (!isPlainObject(doc.body)) {
      aside(where, `its body is ${body === null ? 'null' : Array.isArray(body) ? 'a list' : `a ${typeof body}`}, not an object`, body);
      continue;
    }
    if (doc.kind === 'meta') {
      for (const [slice, value] of Object.entries(body as Record<string, unknown>)) {
        if (NOT_IN_META.includes(slice)) aside(`${where}.${slice}`, `"${slice}" does not belong in the meta document`, value);
        else if (slice !== 'version') data[slice] = value;
      }
    } else if (doc.kind === 'alert') data.alerts[name] = body;
    else if (doc.kind === 'pending') data.pending.push(body);
    else if (doc.kind === 'sent') data.sent.push(body);
    else if (doc.kind === 'silence') data.silences.push(body);
    else if (doc.kind === 'op') (data.ops ??= []).push(body);
    else if (doc.kind === 'ask') (data.asks ??= []).push(body);
  }
  // The order the file keeps: oldest first.
  data.pending.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  data.sent.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  data.silences.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return data;
}
