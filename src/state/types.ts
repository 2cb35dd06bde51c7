/** What alertcron remembers about one key of one alert. */
export interface KeyState {
  firstSeen: number;
  lastSeen: number;
  lastFired?: number;
  fired: number;
  delivered: Record<string, number>;
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
}

/** A summary of the last run, for `status`. */
export interface LastRun {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
}

/** The whole state file. */
export interface StateData {
  version: 1;
  alerts: Record<string, AlertState>;
  pending: PendingDelivery[];
  lastRun?: LastRun;
}

/** A fresh, empty state. */
export function emptyState(): StateData {
  return { version: 1, alerts: {}, pending: [] };
}
