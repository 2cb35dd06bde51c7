import { ExitCode, type ExitCodeValue } from '../util/errors.js';
import type { Window } from './buildSearch.js';

/** One finding of a run and what the policy decided about it. */
export interface FindingReport {
  key: string;
  count: number;
  decision: string;
  notify: boolean;
  title: string;
  message: string;
  nextAt?: string;
  /** The escalation tier sent in this run, if any. */
  escalated?: string;
}

/** What happened to one alert in a run. */
export interface AlertReport {
  name: string;
  status: 'not-due' | 'ok' | 'error';
  window?: { from: string; to: string };
  skippedMs?: number;
  request?: { index: string; body: unknown };
  findings: FindingReport[];
  error?: string;
}

/** What happened to one delivery in a run. */
export interface DeliveryReport {
  alert: string;
  key: string;
  channel: string;
  /** Why it was sent: first, repeat, tier-N, resolved ... */
  reason?: string;
  ok: boolean;
  attempts: number;
  error?: string;
  retryable?: boolean;
}

/** Everything one run did, for --json, for the exit code and for the one-line errors. */
export interface RunReport {
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  exitCode: ExitCodeValue;
  problems: string[];
  alerts: AlertReport[];
  deliveries: DeliveryReport[];
  pending: number;
  clusterRequests: number;
  warnings: string[];
}

/** The exit code of a run: invalid configuration first, then a failed source, then deliveries not made. */
export function exitCodeOf(report: Pick<RunReport, 'problems' | 'alerts' | 'deliveries' | 'pending'>): ExitCodeValue {
  if (report.problems.length) return ExitCode.invalidConfig;
  if (report.alerts.some((a) => a.status === 'error')) return ExitCode.sourceFailed;
  if (report.pending > 0 || report.deliveries.some((d) => !d.ok)) return ExitCode.deliveriesPending;
  return ExitCode.ok;
}

/** Formats a window as ISO strings. */
export function isoWindow(window: Window): { from: string; to: string } {
  return { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
}
