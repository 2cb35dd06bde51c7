import type { AlertState, StateData } from '../../model/state.js';
import { partitionOf } from '../../model/partition.js';
import { isPlainObject, plainMap } from '../../util/plainMap.js';
import { toDocs, type StateDoc } from './docs.js';
import type { LeaseRead, PartitionBody } from './partitionLeases.js';

/**
 * The fields of an alert's state that change at every run (its window and when it ran): with the partitioned
 * layout they live in the document of the alert's partition (`part:<p>`, written once per run for all its alerts),
 * not in `alert:<name>`, which changes only when keys, the rule's state or the digests do.
 */
export const HOT_FIELDS = ['window', 'lastRunAt', 'start', 'catchups'] as const;

/** An alert's state without its per-run fields (what its `alert:` document holds). */
function coldPart(alert: AlertState): Record<string, unknown> {
  const cold: Record<string, unknown> = { ...alert };
  for (const field of HOT_FIELDS) delete cold[field];
  return cold;
}

/** An alert's per-run fields (what its partition's document holds for it). */
function hotPart(alert: AlertState): Record<string, unknown> {
  const hot: Record<string, unknown> = {};
  for (const field of HOT_FIELDS) if (alert[field] !== undefined) hot[field] = alert[field];
  return hot;
}

/**
 * The state as the partitioned layout's documents (the `part:` documents apart, see partitionBodies): alert
 * documents without their per-run fields, alert, pending and sent documents carrying their alert's partition, and
 * the meta document without lastRun (each host's last run is in its heartbeat).
 */
export function partitionedDocs(data: StateData): Map<string, StateDoc> {
  const docs = toDocs(data);
  for (const doc of docs.values()) {
    const body = doc.body as Record<string, unknown>;
    if (doc.kind === 'alert') {
      const name = doc.id.slice('alert:'.length);
      doc.partition = partitionOf(name);
      doc.body = coldPart(body as unknown as AlertState);
    } else if (doc.kind === 'pending' || doc.kind === 'sent') doc.partition = partitionOf(String(body.alert));
    else if (doc.kind === 'meta') {
      const { lastRun: _lastRun, ...meta } = body;
      doc.body = meta;
    }
  }
  return docs;
}

/** The JSON a document's write is compared by: its partition and body (a change to either is a change). */
export function docJson(doc: { partition?: number; body: unknown }): string {
  return JSON.stringify([doc.partition ?? null, doc.body]);
}

/**
 * The body of partition `p`'s document as this state has it: the per-run fields of its alerts, and the queued
 * operations applied in it (when first applied: `before`'s time is kept).
 */
export function partitionBody(data: StateData, p: number, before: PartitionBody | undefined, now: number): PartitionBody {
  const windows: PartitionBody['windows'] = {};
  for (const [name, alert] of Object.entries(data.alerts)) {
    if (partitionOf(name) !== p) continue;
    const hot = hotPart(alert);
    if (Object.keys(hot).length) windows[name] = hot;
  }
  const ops: PartitionBody['ops'] = {};
  for (const op of data.ops ?? []) if (op.doneIn?.includes(p)) ops[op.id] = before?.ops[op.id] ?? now;
  return { windows, ops };
}

/**
 * Puts the per-run fields kept in the partition documents back into the alerts of the partitions `inScope` (an
 * alert whose window exists but whose document was never written gets a state of its own); fields its alert
 * document still holds (today's layout, before the move) win. Completes each queued operation's doneIn with the
 * partitions whose documents record it applied.
 */
export function mergePartitions(data: StateData, leases: Map<string, LeaseRead | undefined>, inScope: (p: number) => boolean): void {
  for (const read of leases.values()) {
    if (!read || read.doc.partition === undefined || !inScope(read.doc.partition)) continue;
    for (const [alert, hot] of Object.entries(read.doc.body.windows)) {
      if (!isPlainObject(hot) || partitionOf(alert) !== read.doc.partition) continue;
      const state = (data.alerts[alert] ??= { keys: plainMap() }) as unknown as Record<string, unknown>;
      for (const field of HOT_FIELDS) if (state[field] === undefined && hot[field] !== undefined) state[field] = structuredClone(hot[field]);
    }
  }
  for (const op of data.ops ?? []) {
    const done = new Set(op.doneIn ?? []);
    for (const read of leases.values()) if (read?.doc.partition !== undefined && read.doc.body.ops[op.id] !== undefined) done.add(read.doc.partition);
    op.doneIn = [...done].sort((a, b) => a - b);
  }
}
