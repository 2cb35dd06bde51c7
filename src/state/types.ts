/** What alertcron remembers about one key of one alert. */
export interface KeyState {
  firstSeen: number;
  lastSeen: number;
  lastFired?: number;
  fired: number;
  delivered: Record<string, number>;
  /** Set by `alertcron ack`: no repeats until the key stops matching. */
  acknowledged?: { at: number; by: string };
  /** Runs in a row that did not find this key since it was last seen. */
  missedRuns?: number;
  /** The last notified title, for its resolved notice. */
  lastTitle?: string;
  /** The highest escalation tier already sent for this key (0-based). */
  tier?: number;
}

/** A silence set from the shell: findings it matches are audited, not sent, until it ends. */
export interface Silence {
  id: string;
  alert: string;
  key?: string;
  match?: { field: string; value: string };
  createdAt: number;
  endsAt: number;
  comment: string;
  author: string;
}

/** How a source (the cluster) has been doing, for self-monitoring notices. */
export interface SourceHealth {
  failures: number;
  since?: number;
  lastError?: string;
  notified?: boolean;
}

/** What alertcron remembers about one alert: its last searched window and its keys. */
export interface AlertState {
  window?: { from: number; to: number };
  lastRunAt?: number;
  lastError?: string;
  keys: Record<string, KeyState>;
}

/** A notification to one channel that has not been accepted yet; the next run retries it. */
export interface PendingDelivery {
  id: string;
  alert: string;
  key: string;
  channel: string;
  reason: string;
  title: string;
  message: string;
  createdAt: number;
  attempts: number;
  lastError?: string;
  /** Tags to write back (internal TheHive channel only). */
  tags?: string[];
  /** Recipients that replace the channel's own: case feedback mails, and the recipients a server refused for now. */
  to?: string[];
  /** Not to be tried before this time: when the service's Retry-After ends. */
  notBefore?: number;
}

/** A summary of the last run, for `status`. */
export interface LastRun {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** The last successful run, for status and the heartbeat. */
  lastSuccessAt?: number;
}

/** The whole state file. */
export interface StateData {
  version: 1;
  alerts: Record<string, AlertState>;
  pending: PendingDelivery[];
  silences: Silence[];
  sources: Record<string, SourceHealth>;
  lastRun?: LastRun;
}

/** A fresh, empty state. */
export function emptyState(): StateData {
  return { version: 1, alerts: {}, pending: [], silences: [], sources: {} };
}
