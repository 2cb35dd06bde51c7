import type { StateData } from '../model/state.js';
import type { MetricFamily, MetricSample } from '../render/promText.js';
import type { RunReport } from './report.js';
import { CLOCK_SOURCE } from './selfMonitor.js';

/** What the metrics of one run are built from: the run's report (absent when it stopped by an error) and the state it left. */
export interface RunMetricsInput {
  /** When the run started, by the run's clock (epoch ms). */
  startedAt: number;
  /** How long the run took in real time, the process's start-up included (ms). */
  durationMs: number;
  exitCode: number;
  report?: RunReport;
  /** The state as the run left it (absent when the run stopped before reading it, e.g. the lock held by another run). */
  data?: StateData;
  /** The sources configured in alertcron.yaml (each gets a source_up sample once the state is known). */
  sources: readonly string[];
  /** The file backend: the bytes of the state file and the files beside it that belong to it. */
  stateBytes?: number;
  /** A run without `data`: the samples of the state's families (CARRIED_FAMILIES) in the metrics file it replaces. */
  carried?: ReadonlyMap<string, MetricSample[]>;
}

/** The families read from the state: a run that could not read it repeats them from the file it replaces. */
export const CARRIED_FAMILIES: ReadonlySet<string> = new Set([
  'alertcron_last_success_timestamp_seconds',
  'alertcron_deliveries_pending',
  'alertcron_deliveries_oldest_pending_age_seconds',
  'alertcron_source_up',
  'alertcron_source_consecutive_failures',
]);

/**
 * The metric families of one run, in the order docs/metrics.md lists them. Only counted things: every label value is
 * an alert, channel or source name from the configuration (never log data or keys), so there are at most
 * alerts × channels series; nothing walks the alerts' keys.
 */
export function runMetrics(input: RunMetricsInput): MetricFamily[] {
  const { report, data } = input;
  const lastSuccess = data?.lastRun?.lastSuccessAt;
  const carried = data ? undefined : input.carried;
  const families: MetricFamily[] = [
    gauge('alertcron_run_duration_seconds', 'Real time the last run took, the process start-up included.', [{ value: input.durationMs / 1000 }]),
    gauge('alertcron_run_exit_code', 'Exit code of the last run (0 ok, 1 internal error, 2 invalid configuration, 3 a source or the state failed, 4 deliveries pending, 5 lock held, 6 a file or state write refused).', [{ value: input.exitCode }]),
    gauge('alertcron_run_start_timestamp_seconds', 'When the last run started, seconds since the Unix epoch.', [{ value: input.startedAt / 1000 }]),
    gauge('alertcron_last_success_timestamp_seconds', 'When the last run that exited 0 ended, seconds since the Unix epoch.', carried?.get('alertcron_last_success_timestamp_seconds') ?? (lastSuccess === undefined ? [] : [{ value: lastSuccess / 1000 }])),
  ];
  if (data) families.push(...stateFamilies(data, input.sources));
  else if (carried) families.push(...carriedFamilies(carried, input.sources));
  if (input.stateBytes !== undefined) families.push(gauge('alertcron_state_size_bytes', 'Size of the state file and the files beside it that belong to it (file backend).', [{ value: input.stateBytes }]));
  if (report) families.push(...reportFamilies(report));
  return families;
}

/** The families read from the state after the run: pending deliveries and the configured sources' health. */
function stateFamilies(data: StateData, sources: readonly string[]): MetricFamily[] {
  const oldest = data.pending.reduce((min, p) => Math.min(min, p.createdAt), Infinity);
  const lastAt = data.lastRun?.finishedAt;
  // Configured sources only: a source removed from alertcron.yaml keeps its last health in the state, stale.
  const names = sources.filter((name) => name !== CLOCK_SOURCE).sort();
  const failures = (name: string) => data.sources?.[name]?.failures ?? 0;
  return [
    gauge('alertcron_deliveries_pending', 'Deliveries waiting in the state to be sent or retried after the last run.', [{ value: data.pending.length }]),
    gauge(
      'alertcron_deliveries_oldest_pending_age_seconds',
      'Age of the oldest pending delivery when the last run ended (0 when none is pending).',
      [{ value: oldest === Infinity || lastAt === undefined ? 0 : Math.max(0, (lastAt - oldest) / 1000) }],
    ),
    gauge('alertcron_source_up', 'Whether the source answered the last run that asked it (1) or failed (0).', names.map((source) => ({ labels: { source }, value: failures(source) ? 0 : 1 }))),
    gauge('alertcron_source_consecutive_failures', 'Runs in a row in which the source failed (0 when its last run answered).', names.map((source) => ({ labels: { source }, value: failures(source) }))),
  ];
}

/** The state's families as the metrics file being replaced has them (the configured sources only). */
function carriedFamilies(carried: ReadonlyMap<string, MetricSample[]>, sources: readonly string[]): MetricFamily[] {
  const configured = (sample: MetricSample) => sample.labels?.source === undefined || sources.includes(sample.labels.source);
  return stateFamilies({ pending: [] } as unknown as StateData, sources).flatMap((family) => {
    const samples = carried.get(family.name);
    return samples ? [{ ...family, samples: samples.filter(configured) }] : [];
  });
}

/** The families counted by the run itself: alerts, findings, notices, deliveries, source requests, state requests, chat actions. */
function reportFamilies(report: RunReport): MetricFamily[] {
  const outcomes = { ok: 0, failed: 0, not_due: 0 };
  for (const alert of report.alerts) outcomes[alert.status === 'error' ? 'failed' : alert.status === 'not-due' ? 'not_due' : 'ok']++;
  const deliveries = { sent: 0, failed: 0, muted: 0 };
  const notices = new Tally(['alert', 'channel', 'result']);
  for (const d of report.deliveries) {
    const result = d.muted ? 'muted' : d.ok ? 'sent' : 'failed';
    deliveries[result]++;
    notices.add([d.alert, d.channel, result]);
  }
  const actions = new Tally(['channel', 'result']);
  for (const a of report.actions) actions.add([a.channel, a.ok ? 'ok' : 'failed']);
  const sources = Object.keys(report.sourceRequests).sort();
  const state = report.stateRequests;
  return [
    gauge('alertcron_run_problems', 'Invalid alert files the last run skipped.', [{ value: report.problems.length }]),
    gauge('alertcron_run_alerts', 'Alerts of the last run by outcome: searched (ok), failed, or skipped as not due.', Object.entries(outcomes).map(([outcome, value]) => ({ labels: { outcome }, value }))),
    gauge('alertcron_run_findings', 'Findings (keys over the condition) of each alert in the last run.', report.alerts.map((a) => ({ labels: { alert: a.name }, value: a.findings.length }))),
    gauge('alertcron_run_notices', 'Notices the last run tried, by alert, channel (or source action) and result: sent, failed (stays pending) or muted.', notices.samples()),
    gauge('alertcron_run_deliveries', 'Deliveries the last run tried, by result: sent, failed (stays pending) or muted.', Object.entries(deliveries).map(([result, value]) => ({ labels: { result }, value }))),
    gauge('alertcron_source_requests', 'HTTP requests the last run made to the source to fetch its alerts.', sources.map((source) => ({ labels: { source }, value: report.sourceRequests[source]! }))),
    gauge(
      'alertcron_source_fetch_duration_seconds',
      "Real time the last run's fetch from the source took (its requests, concurrent with the other sources').",
      sources.flatMap((source) => (report.sourceElapsedMs?.[source] === undefined ? [] : [{ labels: { source }, value: report.sourceElapsedMs[source]! / 1000 }])),
    ),
    gauge('alertcron_run_state_requests', 'Requests the last run made to the state index (cluster backend; 0 with the file backend).', state ? [{ value: state.requests }] : []),
    gauge('alertcron_run_state_writes', "State writes of the last run: write requests to the state index, or the file backend's durable writes and journal syncs.", state ? [{ value: state.writes }] : []),
    gauge('alertcron_run_state_documents', 'State documents the last run wrote (cluster backend).', state?.docs === undefined ? [] : [{ value: state.docs }]),
    gauge('alertcron_run_chat_actions', 'Chat actions (buttons, reactions, replies) the last run applied, by channel and result.', actions.samples()),
  ];
}

/** A gauge family. */
function gauge(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: 'gauge', samples };
}

/** Counts of label value combinations, in the order first seen. */
class Tally {
  private readonly counts = new Map<string, { values: string[]; n: number }>();
  constructor(private readonly names: readonly string[]) {}
  add(values: string[]): void {
    const id = JSON.stringify(values);
    const entry = this.counts.get(id);
    if (entry) entry.n++;
    else this.counts.set(id, { values, n: 1 });
  }
  samples(): MetricSample[] {
    return [...this.counts.values()].map(({ values, n }) => ({ labels: Object.fromEntries(this.names.map((name, i) => [name, values[i]!])), value: n }));
  }
}
