import type { HostRecord } from '../../model/partition.js';
import { isStoredTime } from '../../util/epochTime.js';
import { isPlainObject } from '../../util/plainMap.js';
import type { StateClient } from './client.js';

/** How many takeovers a host's heartbeat keeps (the newest). */
export const KEPT_TAKEOVERS = 20;

/** The id of a host's heartbeat document in the state index. */
export function hostDocId(hostId: string): string {
  return `host:${hostId}`;
}

/**
 * Writes this host's heartbeat `host:<id>` (kind `host`, its holder, `last_seen` = record.lastSeen, the record as
 * body). No sequence-number check: only the host itself writes its own heartbeat.
 */
export async function writeHeartbeat(client: StateClient, index: string, record: HostRecord): Promise<void> {
  const id = hostDocId(record.id);
  const doc = { kind: 'host', id, holder: record.holder, last_seen: record.lastSeen, updated_at: record.lastSeen, body: record };
  await client.send('PUT', `/${index}/_doc/${encodeURIComponent(id)}`, doc, { write: true });
}

/**
 * Reads every heartbeat in the state index (the caller refreshed it first), sorted by host id. A document that is
 * not a heartbeat of this version's shape (edited by hand, written by another version) is left out and given to
 * `skipped` with the reason; it never stops the reading.
 */
export async function readHosts(client: StateClient, index: string, skipped: (id: string, why: string) => void = () => undefined): Promise<HostRecord[]> {
  const answer = await client.send('POST', `/${index}/_search`, { size: 10_000, query: { term: { kind: 'host' } }, sort: [{ id: 'asc' }] });
  if (answer.status === 404) return [];
  const hits: unknown[] = Array.isArray(answer.body?.hits?.hits) ? answer.body.hits.hits : [];
  const hosts: HostRecord[] = [];
  for (const hit of hits) {
    const source = isPlainObject(hit) ? (hit as { _source?: unknown })._source : undefined;
    const id = isPlainObject(hit) ? String((hit as { _id?: unknown })._id) : '?';
    const why = hostRecordProblem(source, id);
    if (why) skipped(id, why);
    else hosts.push((source as { body: HostRecord }).body);
  }
  return hosts;
}

/** Says why a stored document is not a heartbeat this version can read, or undefined when it is one. */
export function hostRecordProblem(source: unknown, docId: string): string | undefined {
  if (!isPlainObject(source)) return 'it is not a JSON object';
  const body = (source as { body?: unknown }).body;
  if (!isPlainObject(body)) return 'its body is not an object';
  const record = body as Record<string, unknown>;
  if (typeof record.id !== 'string' || !record.id) return 'its body has no host id';
  if (hostDocId(record.id) !== docId) return `its body names host ${JSON.stringify(record.id)}, not the one of its id`;
  if (typeof record.holder !== 'string') return 'its body has no holder';
  for (const field of ['lastSeen', 'startedAt'] as const) {
    if (!isStoredTime(record[field])) return `its body.${field} is not a time in milliseconds`;
  }
  if (typeof record.version !== 'string') return 'its body has no version';
  if (record.leaving !== undefined && typeof record.leaving !== 'boolean') return 'its body.leaving is not true or false';
  if (record.lastRun !== undefined) {
    if (!isPlainObject(record.lastRun)) return 'its body.lastRun is not an object';
    const run = record.lastRun as Record<string, unknown>;
    for (const field of ['startedAt', 'finishedAt'] as const) {
      if (!isStoredTime(run[field])) return `its body.lastRun.${field} is not a time in milliseconds`;
    }
    for (const field of ['exitCode', 'evaluated'] as const) {
      if (typeof run[field] !== 'number' || !Number.isFinite(run[field])) return `its body.lastRun.${field} is not a number`;
    }
    if (!Array.isArray(run.partitions) || !run.partitions.every((p) => Number.isInteger(p))) return 'its body.lastRun.partitions is not a list of partition numbers';
    if (typeof run.coordinator !== 'boolean') return 'its body.lastRun.coordinator is not true or false';
  }
  if (record.takeovers !== undefined) {
    const ok = Array.isArray(record.takeovers) && record.takeovers.every((t) => isPlainObject(t) && typeof t.lease === 'string' && typeof t.from === 'string' && isStoredTime(t.at));
    if (!ok) return 'its body.takeovers is not a list of {lease, from, at}';
  }
  return undefined;
}

/**
 * Why a host is not live at `now` (undefined when it is): it is leaving, its heartbeat is older than host_ttl, or
 * (given the skew) its heartbeat is more than max_clock_skew ahead of `now`: its clock runs ahead, and a heartbeat
 * from the future would otherwise never go stale.
 */
export function notLiveReason(host: HostRecord, now: number, hostTtlMs: number, skewMs = Infinity): 'leaving' | 'stale' | 'ahead' | undefined {
  if (host.leaving) return 'leaving';
  if (host.lastSeen < now - hostTtlMs) return 'stale';
  if (host.lastSeen > now + skewMs) return 'ahead';
  return undefined;
}

/**
 * The ids of the live hosts, sorted: those not leaving whose heartbeat is at most `hostTtlMs` old at `now` (a
 * heartbeat exactly that old still counts) and, given `skewMs`, at most that far ahead of `now`; and always `me`
 * (the host asking is running).
 */
export function liveHosts(hosts: readonly HostRecord[], me: string, now: number, hostTtlMs: number, skewMs = Infinity): string[] {
  const live = new Set<string>([me]);
  for (const host of hosts) if (host.id !== me && !notLiveReason(host, now, hostTtlMs, skewMs)) live.add(host.id);
  return [...live].sort();
}

/** The record with these takeovers (at `at`) added after its earlier ones, keeping the newest KEPT_TAKEOVERS. */
export function addTakeovers(record: HostRecord, took: { lease: string; from: string; grace?: true }[], at: number): HostRecord {
  if (!took.length) return record;
  const takeovers = [...(record.takeovers ?? []), ...took.map(({ lease, from, grace }) => ({ lease, from, at, ...(grace ? { grace } : {}) }))].slice(-KEPT_TAKEOVERS);
  return { ...record, takeovers };
}

/** Reads one host's heartbeat by id (realtime, no refresh needed); undefined when it has none or it is not of the shape. */
export async function readHeartbeat(client: StateClient, index: string, hostId: string): Promise<HostRecord | undefined> {
  const id = hostDocId(hostId);
  const answer = await client.send('GET', `/${index}/_doc/${encodeURIComponent(id)}`);
  if (answer.status === 404 || answer.body?.found !== true) return undefined;
  return hostRecordProblem(answer.body._source, id) ? undefined : (answer.body._source as { body: HostRecord }).body;
}

/**
 * Releases every lease `part:<name>` still held (not released) by this deployment (`host_id@instance`, the start of
 * its runs' holders): released = true, until = now, with if_seq_no/if_primary_term so that a lease another host
 * took meanwhile is left alone. Says which leases were released and which had been taken by another host meanwhile.
 * (For `alertcron host leave`; a run releases its own leases through the store.)
 */
export async function releaseLeasesOf(client: StateClient, index: string, deployment: string, names: readonly string[], now: number): Promise<{ released: string[]; lost: string[] }> {
  const answer = await client.send('POST', `/${index}/_mget`, { ids: names.map((name) => `part:${name}`) });
  const released: string[] = [];
  const lost: string[] = [];
  for (const doc of Array.isArray(answer.body?.docs) ? answer.body.docs : []) {
    const source = doc?._source;
    if (doc?.found !== true || !isPlainObject(source) || typeof source.holder !== 'string' || source.released === true) continue;
    if (source.holder.split('/')[0] !== deployment) continue;
    const name = String(doc._id).slice('part:'.length);
    const written = await client.send('PUT', `/${index}/_doc/${encodeURIComponent(doc._id)}?if_seq_no=${doc._seq_no}&if_primary_term=${doc._primary_term}`, { ...source, released: true, until: now, updated_at: now }, { write: true });
    (written.status === 409 ? lost : released).push(name);
  }
  return { released, lost };
}
