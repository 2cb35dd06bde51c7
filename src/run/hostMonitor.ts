import { SELF_ALERT } from '../model/alert.js';
import type { MonitoringConfig } from '../model/config.js';
import { assignLeases, type HostRecord } from '../model/partition.js';
import type { SourceHealth } from '../model/state.js';
import { enqueue } from '../outbox/enqueue.js';
import { updateSourceHealth } from '../policy/sourceHealth.js';
import { liveHosts, notLiveReason } from '../state/cluster/hosts.js';
import { oneLine } from '../util/text.js';
import type { Monitored } from './selfMonitor.js';

/** The key of a host's notices (alert `_alertcron`): `host:<host_id>`. */
export function hostKey(host: string): string {
  return `host:${host}`;
}

/** What the coordinator needs to judge the hosts: their heartbeats, its own id, the lease clock's now, and host_ttl. */
export interface HostView {
  hosts: readonly HostRecord[];
  me: string;
  /** The lease clock (leaseNow()), which heartbeats are written with. */
  leaseNow: number;
  hostTtlMs: number;
}

/**
 * The coordinator's watch over the hosts sharing the cluster state, told like a failing source: one notice when a
 * host's heartbeat went stale (it stopped running: its share went to the others), one when it runs again. A host
 * that left (`alertcron host leave`) is not told: it was asked to. `previous` is the watch as the last coordinator
 * left it (state.hostHealth), so a change of coordinator tells nothing twice; `health` replaces it.
 */
export function watchHosts(config: MonitoringConfig, view: HostView, previous: Readonly<Record<string, SourceHealth>>, now: number): Monitored {
  const monitored: Monitored = { health: {}, deliveries: [], audit: [] };
  const isLive = (h: HostRecord) => h.id === view.me || !notLiveReason(h, view.leaseNow, view.hostTtlMs);
  const live = liveHosts(view.hosts, view.me, view.leaseNow, view.hostTtlMs);
  for (const host of view.hosts) {
    if (host.leaving && host.id !== view.me) continue;
    const name = oneLine(host.id, 120);
    const stale = !isLive(host);
    const failure = stale ? `alertcron on ${name} has not run since ${new Date(host.lastSeen).toISOString()} (its share moved to ${sharedTo(host.id, live)})` : undefined;
    const before = previous[host.id];
    if (!stale && !before) continue;
    const { health, notice } = updateSourceHealth(before, failure, now, 1);
    if (!stale && !notice) continue;
    if (stale) monitored.health[host.id] = health;
    if (!notice) continue;
    monitored.audit.push({ event: notice === 'down' ? 'host_down' : 'host_recovered', host: host.id, last_seen: new Date(host.lastSeen).toISOString() });
    const since = new Date(before?.since ?? now).toISOString();
    const title = notice === 'down' ? `alertcron on ${name} stopped running` : `alertcron on ${name} runs again`;
    const message = notice === 'down' ? `${failure}. Alerting goes on on the other hosts; check cron and alertcron on ${name}.` : `alertcron on ${name} runs again (its heartbeat had been stale since ${since}); it takes its share back.`;
    monitored.deliveries.push(...enqueue({ alert: SELF_ALERT, key: hostKey(host.id), reason: notice, title, message }, config.notify, now));
  }
  return monitored;
}

/** The live hosts that a stale host's leases go to now (by the same assignment every host computes). */
function sharedTo(host: string, live: readonly string[]): string {
  const before = assignLeases([...live, host]);
  const after = assignLeases(live);
  const heirs = new Set<string>();
  for (const [lease, owner] of before) if (owner === host && after.get(lease)) heirs.add(after.get(lease)!);
  return [...heirs].sort().map((h) => oneLine(h, 120)).join(', ') || 'no other host';
}

/** How often the coordinator tells of one host's leases being taken over while it still runs: at most once an hour. */
export const TAKEOVER_NOTICE_EVERY_MS = 3_600_000;

/** The key of the takeover notices of a host (alert `_alertcron`), and its entry in state.hostHealth: `takeover:<host_id>`. */
export function takeoverKey(host: string): string {
  return `takeover:${host}`;
}

/**
 * The coordinator's watch over takeovers from hosts that still run: a host killed mid-run each minute (out of memory,
 * a crash in one alert) writes a fresh heartbeat at every start, so it never goes stale, yet its leases are taken
 * over each time and its partitions are late. From the takeovers the hosts record in their heartbeats, a host whose
 * leases were taken over and that ran again since (a heartbeat newer than the takeover) is told once, naming it,
 * how many takeovers since when, and that its runs die mid-run; then at most once per TAKEOVER_NOTICE_EVERY_MS.
 * Times are the lease clock's (view.leaseNow), as the takeovers' (`now`, the run's clock, dates the notice). `previous` is state.hostHealth (the entries under
 * takeoverKey); `health` holds the entries to keep (a notice told within the hour), to merge into hostHealth.
 */
export function watchTakeovers(config: MonitoringConfig, view: HostView, previous: Readonly<Record<string, SourceHealth>>, now: number): Monitored {
  const monitored: Monitored = { health: {}, deliveries: [], audit: [] };
  const since = view.leaseNow - TAKEOVER_NOTICE_EVERY_MS;
  for (const host of view.hosts) {
    const key = takeoverKey(host.id);
    const before = previous[key];
    const toldAt = before?.since;
    if (toldAt !== undefined && toldAt > since && toldAt <= view.leaseNow) {
      monitored.health[key] = before!;
      continue;
    }
    if (host.id !== view.me && notLiveReason(host, view.leaseNow, view.hostTtlMs)) continue;
    const taken = view.hosts.flatMap((taker) => (taker.id === host.id ? [] : (taker.takeovers ?? []).filter((t) => !t.grace && t.from.split('@')[0] === host.id && t.at > since && t.at < host.lastSeen).map((t) => ({ ...t, by: taker.id }))));
    if (!taken.length) continue;
    const first = Math.min(...taken.map((t) => t.at));
    const name = oneLine(host.id, 120);
    const by = [...new Set(taken.map((t) => oneLine(t.by, 120)))].sort().join(', ');
    const failure = `${taken.length} lease${taken.length === 1 ? '' : 's'} of ${name} taken over since ${new Date(first).toISOString()}`;
    monitored.health[key] = { failures: taken.length, since: view.leaseNow, lastError: failure, notified: true };
    monitored.audit.push({ event: 'host_takeovers', host: host.id, takeovers: taken.length, since: new Date(first).toISOString() });
    const title = `alertcron on ${name} dies mid-run: its leases were taken over`;
    const message = `${failure} (by ${by}), while ${name} still runs: its runs die mid-run (killed, out of memory, a crash) and its partitions are evaluated late by the others. Check alertcron's log and the system log on ${name}. Told at most once an hour.`;
    monitored.deliveries.push(...enqueue({ alert: SELF_ALERT, key, reason: 'takeover', title, message }, config.notify, now));
  }
  return monitored;
}
