import { COORDINATOR, leaseNames, type HostRecord, type LeaseRecord } from '../model/partition.js';
import { notLiveReason } from '../state/cluster/hosts.js';
import { hostOfHolder } from '../state/cluster/partitionLeases.js';
import { formatDuration } from '../util/duration.js';
import { isStoredTime } from '../util/epochTime.js';

/** How many of the latest takeovers (of all hosts together) `status` lists. */
const TAKEOVERS_SHOWN = 10;

/** A time as status shows it; one that is no time (a hand-edited lease's `until`) as null. */
const iso = (ms: number) => (isStoredTime(ms) ? new Date(ms).toISOString() : null);

/** Sorted partition numbers written as ranges: [0, 1, 2, 3, 7, 9, 10] -> "0-3, 7, 9-10" ("" for none). */
export function partitionRanges(partitions: Iterable<number>): string {
  const sorted = [...new Set(partitions)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/** Partition numbers in words: "partition 4", "partitions 0-3, 7". */
export function partitionWords(partitions: readonly number[]): string {
  return `partition${new Set(partitions).size > 1 ? 's' : ''} ${partitionRanges(partitions)}`;
}

/** A lease as `status` shows it: who holds it now (nobody when it is absent, released or ran out) and since when it is free. */
export interface LeaseStatus {
  name: string;
  state: 'held' | 'released' | 'expired' | 'absent';
  holder: string | null;
  host: string | null;
  token: number | null;
  until: string | null;
  /** For a lease nobody holds: since when (its last holder's `until`), null when it was never taken. */
  free_since: string | null;
}

/** A host as `status` shows it. */
export interface HostStatus {
  id: string;
  holder: string | null;
  live: boolean;
  /** Why it is not live: `leaving`, or `no heartbeat for 3m` (also `no heartbeat document` for a lease holder without one). */
  not_live: string | null;
  last_heartbeat: string | null;
  last_heartbeat_age: string | null;
  version: string | null;
  last_run: { started: string; took: string; exit_code: number; evaluated: number; partitions: number[]; coordinator: boolean } | null;
  /** The leases it holds now: its partitions, and whether it holds the coordinator's. */
  holds: { partitions: number[]; coordinator: boolean };
  takeovers: { lease: string; from: string; at: string }[];
}

/** The hosts and leases part of `status`, from the heartbeats and lease documents, judged at `now` (the lease clock; given max_clock_skew, a heartbeat further ahead shows as "clock ahead"). */
export function hostsStatus(cluster: { hosts: readonly HostRecord[]; leases: readonly LeaseRecord[] }, now: number, hostTtlMs: number, skewMs?: number): { hosts: HostStatus[]; leases: LeaseStatus[] } {
  const stored = new Map(cluster.leases.map((l) => [l.name, l]));
  const leases: LeaseStatus[] = leaseNames().map((name) => {
    const lease = stored.get(name);
    if (!lease) return { name, state: 'absent', holder: null, host: null, token: null, until: null, free_since: null };
    const state = lease.released ? 'released' : lease.until < now ? 'expired' : 'held';
    return { name, state, holder: lease.holder, host: hostOfHolder(lease.holder), token: lease.token, until: iso(lease.until), free_since: state === 'held' ? null : iso(Math.min(lease.until, now)) };
  });
  const hosts = new Map<string, HostStatus>();
  for (const host of cluster.hosts) {
    const why = notLiveReason(host, now, hostTtlMs, skewMs);
    const run = host.lastRun;
    hosts.set(host.id, {
      id: host.id,
      holder: host.holder,
      live: !why,
      not_live: why === 'leaving' ? 'leaving' : why === 'stale' ? `no heartbeat for ${formatDuration(Math.max(0, now - host.lastSeen))}` : why === 'ahead' ? `clock ahead: its heartbeat is ${formatDuration(host.lastSeen - now)} in the future` : null,
      last_heartbeat: iso(host.lastSeen),
      last_heartbeat_age: formatDuration(Math.max(0, now - host.lastSeen)),
      version: host.version,
      last_run: run
        ? { started: iso(run.startedAt)!, took: formatDuration(Math.max(0, run.finishedAt - run.startedAt)), exit_code: run.exitCode, evaluated: run.evaluated, partitions: [...run.partitions].sort((a, b) => a - b), coordinator: run.coordinator }
        : null,
      holds: { partitions: [], coordinator: false },
      takeovers: (host.takeovers ?? []).map((t) => ({ lease: t.lease, from: t.from, at: iso(t.at)! })),
    });
  }
  const held = new Map<string, number[]>();
  for (const lease of leases) {
    if (lease.state !== 'held') continue;
    const id = lease.host!;
    if (!hosts.has(id)) hosts.set(id, { id, holder: null, live: false, not_live: 'no heartbeat document', last_heartbeat: null, last_heartbeat_age: null, version: null, last_run: null, holds: { partitions: [], coordinator: false }, takeovers: [] });
    const host = hosts.get(id)!;
    if (lease.name === COORDINATOR) host.holds.coordinator = true;
    else held.set(id, [...(held.get(id) ?? []), Number(lease.name)]);
  }
  for (const [id, partitions] of held) hosts.get(id)!.holds.partitions = partitions.sort((a, b) => a - b);
  return { hosts: [...hosts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), leases };
}

/** Text from the cluster (host ids, holders) shown as it is when it looks like a host id, else quoted: never taken for status's own words. */
function inert(text: string): string {
  return /^[A-Za-z0-9._@/-]{1,200}$/.test(text) ? text : JSON.stringify(text.slice(0, 200));
}

/**
 * The leases in three groups: held now; given back by a run within host_ttl (a run gives its leases back when it
 * ends: between two runs); and the others (never taken, run out without being given back, or released long ago),
 * the partitions nobody evaluates now.
 */
export function leaseGroups(leases: readonly LeaseStatus[], now: number, hostTtlMs: number): { held: LeaseStatus[]; between: LeaseStatus[]; free: LeaseStatus[] } {
  const ageOf = (l: LeaseStatus) => (l.free_since ? Math.max(0, now - Date.parse(l.free_since)) : Infinity);
  const between = leases.filter((l) => l.state === 'released' && ageOf(l) <= hostTtlMs);
  return { held: leases.filter((l) => l.state === 'held'), between, free: leases.filter((l) => l.state !== 'held' && !between.includes(l)) };
}

/** The lines `status` prints about the hosts sharing the cluster state: each host, then the leases nobody holds, then the latest takeovers. */
export function hostsLines(view: { hosts: HostStatus[]; leases: LeaseStatus[] }, now: number, hostTtlMs: number): string[] {
  const lines = [`hosts: ${view.hosts.filter((h) => h.live).length} live of ${view.hosts.length}`];
  for (const h of view.hosts) {
    const state = h.live ? 'live' : `not live (${h.not_live})`;
    const beat = h.last_heartbeat ? `last heartbeat ${h.last_heartbeat_age} ago (${h.last_heartbeat})` : 'no heartbeat';
    const r = h.last_run;
    const share = r ? leasesInWords(r.partitions, r.coordinator) : '';
    const run = r ? `last run ${r.started}, took ${r.took}, exit code ${r.exit_code}, ${r.evaluated} alert(s) evaluated${share ? ` holding ${share}` : ''}` : 'last run: none recorded';
    lines.push(`  ${inert(h.id)}: ${state}, ${beat}; ${run}; holds now ${leasesInWords(h.holds.partitions, h.holds.coordinator) || 'nothing'}`);
  }
  const { held, between, free } = leaseGroups(view.leases, now, hostTtlMs);
  lines.push(`leases: ${held.length} held now, ${between.length} given back by a run in the last ${formatDuration(hostTtlMs)}, ${free.length} waiting for a host`);
  if (free.length) {
    // One line per state and last holder: which leases, and how long ago the first and the last of them came free.
    const groups = new Map<string, { state: LeaseStatus['state']; host: string | null; names: string[]; ages: number[] }>();
    for (const l of free) {
      const key = `${l.state}\n${l.host ?? ''}`;
      const group = groups.get(key) ?? { state: l.state, host: l.host, names: [], ages: [] };
      group.names.push(l.name);
      if (l.free_since) group.ages.push(Math.max(0, now - Date.parse(l.free_since)));
      groups.set(key, group);
    }
    for (const g of groups.values()) {
      const ago = g.ages.length ? `${formatDuration(Math.min(...g.ages))}${Math.max(...g.ages) - Math.min(...g.ages) >= 1_000 ? ` to ${formatDuration(Math.max(...g.ages))}` : ''} ago` : '';
      const words = g.state === 'absent' ? 'never taken' : g.state === 'released' ? `released by ${inert(g.host!)} ${ago}` : `held by ${inert(g.host!)}, ran out ${ago} (taken over at another host's next run)`;
      lines.push(`  ${leasesInWords(g.names.filter((n) => n !== COORDINATOR).map(Number), g.names.includes(COORDINATOR))}: ${words}`);
    }
  }
  const takeovers = view.hosts.flatMap((h) => h.takeovers.map((t) => ({ ...t, by: h.id }))).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, TAKEOVERS_SHOWN);
  if (takeovers.length) {
    lines.push(`takeovers (latest ${takeovers.length}):`);
    for (const t of takeovers) lines.push(`  ${t.at} ${inert(t.by)} took ${t.lease === COORDINATOR ? "the coordinator's lease" : `partition ${inert(t.lease)}`} from ${inert(t.from)}`);
  }
  return lines;
}

/** Leases in words: "partitions 0-3, 9 (5) and the coordinator's lease" ("" for none). */
export function leasesInWords(partitions: readonly number[], coordinator: boolean): string {
  const count = new Set(partitions).size;
  return [count ? `${partitionWords(partitions)}${count > 1 ? ` (${count})` : ''}` : '', coordinator ? "the coordinator's lease" : ''].filter(Boolean).join(' and ');
}
