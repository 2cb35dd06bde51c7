import { ExitCode, type ExitCodeValue } from '../util/errors.js';
import type { DeliveryReport } from '../outbox/record.js';
import type { StageTiming } from '../util/stageClock.js';

export type { DeliveryReport } from '../outbox/record.js';

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
  /** Set when the person the finding names is asked (an ask alert) instead of notices being sent. */
  asked?: boolean;
  /** Set when the finding went into the alert's open digest (for its digest channels). */
  digested?: boolean;
}

/** What happened to one alert in a run. */
export interface AlertReport {
  name: string;
  status: 'not-due' | 'ok' | 'error';
  window?: { from: string; to: string };
  skippedMs?: number;
  /** What was sent to the source (`test` prints it). */
  request?: unknown;
  findings: FindingReport[];
  error?: string;
  /** The source refused this alert's own request (a query it cannot parse): a configuration error, exit code 2. */
  rejected?: boolean;
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
  /** HTTP requests made to the cluster (the elasticsearch source). */
  clusterRequests: number;
  /**
   * The cluster's own time for the alerts' searches: the `took` of each `_msearch` answer received, added up (ms); 0 when
   * none answered (the cluster unreachable); absent when no alert searched the cluster, or when the run's deadline cut the
   * searches short (the answers received before it are then not counted).
   */
  clusterTookMs?: number;
  /** Where the run's time and memory went, stage by stage, in the order they ran (the process's start first). */
  stages?: StageTiming[];
  /** The state store's requests and writes (the cluster backend; absent for the file). */
  stateRequests?: { requests: number; writes: number; docs?: number };
  /** Why the shared state store could not be used: nothing was evaluated (exit code 3). */
  stateUnavailable?: string;
  /** HTTP requests of the daily check of the timestamp_field of alerts that found nothing (absent when none was made). */
  fieldCheckRequests?: number;
  /** HTTP requests made to each source. */
  sourceRequests: Record<string, number>;
  /** The wall time of each source's fetch (ms): its requests, concurrent with the other sources'. */
  sourceElapsedMs?: Record<string, number>;
  /** Chat actions applied from the inbox at the start of the run. */
  actions: { channel: string; op: string; ok: boolean; message: string }[];
  /** The conversations of ask alerts this run moved on or looked at (absent when there are none). */
  conversations?: { id: string; person: string; state: string; reason?: string }[];
  warnings: string[];
  /** The cluster backend: this host's state.host_id. */
  host?: string;
  /** The partitioned cluster backend: the leases this run held (its alerts are the only ones in `alerts`), took over, and could not take. */
  partitions?: { held: number[]; coordinator: boolean; took: { lease: string; from: string }[]; skipped: string[] };
}

/** The exit code of a run: invalid configuration (or a query the cluster rejects) first, then a failed source, then deliveries not made. */
export function exitCodeOf(report: Pick<RunReport, 'problems' | 'alerts' | 'deliveries' | 'pending' | 'stateUnavailable'>): ExitCodeValue {
  if (report.problems.length || report.alerts.some((a) => a.rejected)) return ExitCode.invalidConfig;
  if (report.stateUnavailable || report.alerts.some((a) => a.status === 'error')) return ExitCode.sourceFailed;
  if (report.pending > 0 || report.deliveries.some((d) => !d.ok)) return ExitCode.deliveriesPending;
  return ExitCode.ok;
}
