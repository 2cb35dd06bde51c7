import type { HostRecord } from '../../model/partition.js';
import type { LastRun, StateData } from '../../model/state.js';
import { settleState } from '../settle.js';
import type { SetAside } from '../setAside.js';
import { fromDocs, STATE_KINDS, type StateDoc } from './docs.js';
import { hostRecordProblem } from './hosts.js';
import { docJson, mergePartitions } from './layout.js';
import { withLocalSlices, type LocalState } from './localFile.js';
import { isLeaseDocument, withBody, type LeaseRead } from './partitionLeases.js';
import type { ReadHit } from './readDocs.js';
import type { ReadDoc } from './transaction.js';

/** The state put together from the documents read: the data, the snapshot its commit is compared with, the leases and the heartbeats. */
export interface Assembled {
  data: StateData;
  snapshot: Map<string, ReadDoc>;
  parts: Map<string, LeaseRead | undefined>;
  hosts: HostRecord[];
  setAside: SetAside[];
}

/**
 * Puts the state together from the documents read (plus this host's local slices and the notices it keeps
 * locally): the per-run fields of the alerts of the partitions `inScope` come from their partitions' documents,
 * each queued operation's doneIn from every partition's document. Parts of the wrong shape are set aside.
 */
export function assemble(hits: Map<string, ReadHit>, local: LocalState, inScope: (p: number) => boolean): Assembled {
  const setAside: SetAside[] = [];
  const aside = (where: string, why: string, value: unknown) => setAside.push({ where, why, value });
  const parts = new Map<string, LeaseRead | undefined>();
  const hosts: HostRecord[] = [];
  const docs: StateDoc[] = [];
  const snapshot = new Map<string, ReadDoc>();
  for (const [id, hit] of hits) {
    const kind = (hit.doc as { kind?: unknown })?.kind;
    if (kind === 'part') {
      if (isLeaseDocument(hit.doc)) parts.set(id.slice('part:'.length), { doc: withBody(hit.doc), seqNo: hit.seqNo, primaryTerm: hit.primaryTerm });
      continue;
    }
    if (kind === 'host') {
      const why = hostRecordProblem(hit.doc, id);
      if (why) aside(`state document ${JSON.stringify(id)}`, why, hit.doc);
      else hosts.push((hit.doc as unknown as { body: HostRecord }).body);
      continue;
    }
    if (!STATE_KINDS.includes(kind as StateDoc['kind'])) continue;
    // Compared as read, before the partitions' fields are merged in and the shape is settled.
    snapshot.set(id, { json: docJson({ partition: typeof hit.doc.partition === 'number' ? hit.doc.partition : undefined, body: hit.doc.body }), seqNo: hit.seqNo, primaryTerm: hit.primaryTerm });
    docs.push(hit.doc);
  }
  const data = withLocalSlices(fromDocs(structuredClone(docs), aside), local);
  mergePartitions(data, parts, inScope);
  const shared = new Set(data.pending.map((p) => p.id));
  // A copy the cluster already has, or one sent already (by any host), is not queued again.
  const sent = new Set(data.sent.map((s) => s.id));
  data.pending.push(...local.pending.filter((p) => !shared.has(p.id) && !sent.has(p.id)));
  setAside.push(...settleState(data));
  return { data, snapshot, parts, hosts, setAside };
}

/** A host's last run as the state's lastRun slice holds it (without what its heartbeat adds). */
export function lastRunOf(record: HostRecord | undefined): LastRun | undefined {
  const run = record?.lastRun;
  if (!run) return undefined;
  return { startedAt: run.startedAt, finishedAt: run.finishedAt, exitCode: run.exitCode, ...(run.lastSuccessAt !== undefined ? { lastSuccessAt: run.lastSuccessAt } : {}) };
}

/** The latest last run of any host (what `status` shows as the deployment's last run). */
export function latestLastRun(hosts: readonly HostRecord[]): LastRun | undefined {
  const latest = [...hosts].filter((h) => h.lastRun).sort((a, b) => a.lastRun!.finishedAt - b.lastRun!.finishedAt).pop();
  return lastRunOf(latest);
}
