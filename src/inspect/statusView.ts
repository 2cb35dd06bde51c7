import { currentThrottle, isFiring } from '../policy/decide.js';
import { isActive } from '../policy/silences.js';
import { targetOf, type AlertState, type KeyState, type RunRecord, type StateData } from '../model/state.js';
import type { HostRecord, LeaseRecord } from '../model/partition.js';
import { ownProblem } from '../policy/alertProblems.js';
import { formatDuration } from '../util/duration.js';
import { ESCALATION_REASONS, isClosed, type Conversation } from '../model/conversation.js';
import { ownValue } from '../util/plainMap.js';
import { isStoredTime } from '../util/epochTime.js';
import { lateSetAsideWarning } from '../state/setAside.js';
import { followedKeys } from '../state/keyTable.js';
import { leaseNow } from '../util/clock.js';
import type { Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { hostsStatus } from './hostsStatus.js';

/** How many of the latest chat actions `status` lists. */
const CHAT_LOG_SHOWN = 20;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** What the state store's peek gave: the state, its warning, and with the cluster backend the hosts and leases. */
export interface PeekedState {
  data: StateData;
  warning?: string;
  cluster?: { hosts: HostRecord[]; leases: LeaseRecord[] };
}

/** Everything `status` shows (text, --json and the HTML page are three views of this one object). */
export type StatusView = ReturnType<typeof statusView>;

/** What a view may leave out: `rowLimit` keeps only the newest firing keys of each alert and the newest acknowledgements (the page's). */
export interface StatusViewOptions {
  rowLimit?: number;
}

/** Builds the status of a project from its configuration, its alerts and its state as peeked at `now`. */
export function statusView(config: Config, loaded: Pick<LoadedAlerts, 'alerts'>, peeked: PeekedState, now: number, options: StatusViewOptions = {}) {
  const limit = options.rowLimit ?? Infinity;
  const { data, warning } = peeked;
  // The hosts sharing a cluster state (peek reads them with the cluster backend): their heartbeats and the leases, judged by the lease clock.
  const cluster = peeked.cluster;
  const shared = cluster ? hostsStatus(cluster, leaseNow(), config.state.host_ttl, config.state.max_clock_skew) : undefined;
  const ownRun = cluster?.hosts.find((h) => h.id === config.state.host_id)?.lastRun;
  const lastRun = data.lastRun ?? ownRun;
  const alertOf = new Map(loaded.alerts.map((a) => [a.name, a]));
  const alerts = Object.entries(data.alerts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, alert]) => {
      // Only the keys that can fire or be acknowledged are read (a key table's summary names them), never every key.
      const firingKeys = followedKeys(alert.keys).filter(([, key]) => isFiring(key));
      return {
      name,
      window_end: iso(alert.window?.to),
      last_run: iso(alert.lastRunAt),
      last_error: alert.lastError ?? null,
      problems: problemsOf(alert),
      digests: digestsOf(alert),
      ...(limit < Infinity ? { firing_total: firingKeys.length } : {}),
      firing: newest(firingKeys, ([, key]) => key.lastFired ?? key.firstSeen, limit)
        .map(([key, state]) => {
          const settings = alertOf.get(name);
          const throttle = settings ? currentThrottle(state, settings.throttle, settings.throttle_cap) : undefined;
          const since = firingSince(state);
          return {
            key,
            first_seen: iso(state.firstSeen),
            firing_since: iso(since.at),
            firing_since_from: since.from,
            last_notified: iso(state.lastFired),
            times: state.fired,
            acknowledged: state.acknowledged ? { at: iso(state.acknowledged.at), by: state.acknowledged.by } : null,
            throttle: typeof throttle === 'number' ? formatDuration(throttle) : throttle ?? null,
            next_repeat: typeof throttle === 'number' && !state.acknowledged ? iso(state.lastFired! + throttle) : null,
          };
        }),
    };
    });
  const acks = acksOf(data);
  return {
    last_run: lastRun
      ? { started: iso(lastRun.startedAt), took: formatDuration(lastRun.finishedAt - lastRun.startedAt), exit_code: lastRun.exitCode, last_success: iso(lastRun.lastSuccessAt) }
      : null,
    runs: runsOf(data.runs),
    ...(shared ? { hosts: shared.hosts, leases: shared.leases } : {}),
    alerts,
    ...(limit < Infinity ? { acks_total: acks.length } : {}),
    acks: newest(acks, (a) => (a.at ? Date.parse(a.at) : 0), limit),
    pending: data.pending.map((p) => ({
      alert: p.alert,
      key: p.key,
      channel: targetOf(p),
      reason: p.reason,
      since: iso(p.createdAt),
      attempts: p.attempts,
      next_attempt_after: p.notBefore && p.notBefore > now ? iso(p.notBefore) : null,
      last_error: p.lastError ?? null,
    })),
    silences: data.silences.filter((s) => isActive(s, now)),
    sources: data.sources,
    chats: data.chats ?? {},
    chat_actions: (data.chatLog ?? []).slice(-CHAT_LOG_SHOWN).map((e) => ({ ...e, at: iso(e.at) })),
    ...(data.conversations?.length ? { conversations: data.conversations.map(conversationStatus) } : {}),
    warning: [warning, lateSetAsideWarning(undefined)].filter(Boolean).join('; ') || null,
  };
}

/**
 * When a firing key's current episode began: kept since this version ('episode'); a key of an older state, which kept
 * no such time, falls back to its first sight ('first_seen': earlier than the episode's start if it resolved since),
 * as does one whose kept start lies outside its current episode (after its last notice, or not after its last resolution).
 */
function firingSince(key: KeyState): { at: number; from: 'episode' | 'first_seen' } {
  // Trusted only within the current episode: an older version that re-fired the key kept the previous episode's start.
  const since = key.firingSince;
  const current = since !== undefined && key.lastFired !== undefined && since <= key.lastFired && (key.resolvedAt === undefined || since > key.resolvedAt);
  return current ? { at: since, from: 'episode' } : { at: key.firstSeen, from: 'first_seen' };
}

/** The `limit` items of a list with the latest time, newest first (all of them, in their order, when there is no limit). */
function newest<T>(items: T[], time: (item: T) => number, limit: number): T[] {
  if (limit === Infinity) return items;
  return items.map((item) => ({ item, at: time(item) })).sort((a, b) => b.at - a.at).slice(0, limit).map((x) => x.item);
}

/** The run history, newest first; records a hand-edited state spoiled are left out. */
function runsOf(runs: readonly RunRecord[] | undefined) {
  const fine = (r: RunRecord) => typeof r === 'object' && r !== null && isStoredTime(r.startedAt) && isStoredTime(r.finishedAt) && Number.isInteger(r.exitCode);
  const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
  return (Array.isArray(runs) ? runs : [])
    .filter(fine)
    .reverse()
    .map((r) => ({
      started: iso(r.startedAt)!,
      finished: iso(r.finishedAt)!,
      took: formatDuration(Math.max(0, r.finishedAt - r.startedAt)),
      exit_code: r.exitCode,
      alerts: count(r.alerts),
      alerts_failed: count(r.alertsFailed),
      delivered: count(r.delivered),
      deliveries_failed: count(r.deliveriesFailed),
      pending: count(r.pending),
      first_error: typeof r.firstError === 'string' ? r.firstError : null,
    }));
}

/** Keys acknowledged or marked handled (by an answer, a chat action or the shell), with who, when and how; firing or not. */
function acksOf(data: StateData) {
  return Object.entries(data.alerts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([alert, state]) =>
      followedKeys(state.keys).flatMap(([key, k]) => [
        ...(k.acknowledged ? [{ alert, key, kind: 'acknowledged' as const, by: k.acknowledged.by, at: iso(k.acknowledged.at), how: null, firing: isFiring(k) }] : []),
        ...(k.handled ? [{ alert, key, kind: 'handled' as const, by: k.handled.by, at: iso(k.handled.at), how: k.handled.how, firing: isFiring(k) }] : []),
      ]),
    );
}

/** An alert's open digests as status shows them: for which `per` value, how much they hold, since when and when they go. */
function digestsOf(alert: AlertState) {
  return (alert.digests ?? []).map((b) => ({
    per: b.group ?? null,
    from: iso(b.from)!,
    due: iso(b.due)!,
    findings: b.findings,
    rows: b.rows.length,
    omitted: b.omitted,
    keys: b.keys.length,
  }));
}

/** An alert's remembered problems (why it cannot fire), oldest first, as status shows them. */
function problemsOf(alert: AlertState) {
  return Object.keys(alert.problems ?? {})
    .flatMap((kind) => {
      const p = ownProblem(alert, kind);
      return p ? [{ kind, message: p.message, since: iso(p.since)!, last_seen: iso(p.lastSeen), told: iso(p.toldAt) }] : [];
    })
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
}

/** One conversation of an ask alert as status shows it: where it stands, why, and every step taken. */
function conversationStatus(c: Conversation) {
  return {
    alert: c.alert,
    key: c.key,
    person: c.person,
    channel: c.channel,
    state: c.state,
    reason: (c.reason ? ownValue(ESCALATION_REASONS, c.reason) : undefined) ?? null,
    closed: isClosed(c),
    asked: iso(c.askedAt),
    deadline: iso(c.deadline),
    two_factor: c.twoFactor ? { username: c.twoFactor.username, result: c.twoFactor.result ?? null, pushed: iso(c.twoFactor.pushedAt) } : null,
    last_error: c.lastError ?? null,
    steps: c.history.map((h) => ({ at: iso(h.at), state: h.state, note: h.note })),
  };
}
