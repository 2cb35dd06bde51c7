import { randomUUID } from 'node:crypto';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { loadProject } from '../config/loadProject.js';
import { formatProblem } from '../config/problems.js';
import type { AlertDef, Config } from '../config/types.js';
import { evaluate } from '../conditions/evaluate.js';
import { deliverAll } from '../notify/deliver.js';
import { multiSearch, type SearchOutcome, type SearchRequest } from '../sources/elasticsearch.js';
import { queryHiveAlerts } from '../sources/thehive.js';
import type { Finding } from '../conditions/finding.js';
import { hiveFindings } from '../conditions/hiveFindings.js';
import { openState, peekState } from '../state/store.js';
import { pruneState } from '../state/prune.js';
import type { AlertState, PendingDelivery, StateData } from '../state/types.js';
import { errorMessage, ExitCode, UserError } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { clockFromEnv } from '../util/clock.js';
import { applyFindings } from './applyFindings.js';
import { AuditLog } from './audit.js';
import { buildSearch, type Window } from './buildSearch.js';
import { planAlert } from './plan.js';
import { monitorCluster, pingHeartbeat } from './selfMonitor.js';
import { trackAbsentKeys } from './trackAbsentKeys.js';
import { deliveryChannels, writeBackTags } from './writeBack.js';
import { expirePending, recordDeliveries } from './recordDeliveries.js';
import { exitCodeOf, isoWindow, type AlertReport, type RunReport } from './report.js';

/** How a run is asked to behave; `run`, `run --dry-run` and `test` all come through here. */
export interface RunOptions {
  configFile: string;
  /** Run only these alerts. */
  only?: string[];
  /** Touch neither state nor channels. */
  dryRun?: boolean;
  /** Search this window instead of the planned one, and do not move the stored windows. */
  window?: Window;
  /** Run the selected alerts even if their `every:` says they are not due. */
  ignoreSchedule?: boolean;
  /** Put each alert's search request into the report. */
  includeRequests?: boolean;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
}

/** Runs the whole pipeline once: lock, load, plan, fetch, evaluate, decide, deliver, record, unlock. */
export async function runAlerts(options: RunOptions): Promise<RunReport> {
  const clock = options.now ?? clockFromEnv(options.env);
  const startedAt = clock();
  const { config, loaded } = await loadProject(options.configFile, options.env);
  const { alerts, problems } = selectAlerts(loaded, options.only);
  const store = options.dryRun ? undefined : await openState(config.state.file, config.state.lock_wait);
  try {
    const peeked = store ? undefined : await peekState(config.state.file);
    const data: StateData = store ? store.data : peeked!.data;
    const warning = store ? store.warning : peeked!.warning;
    const audit = new AuditLog(config.state.audit_log, randomUUID());
    const now = clock();
    const report: RunReport = {
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: '',
      dryRun: !!options.dryRun,
      exitCode: ExitCode.ok,
      problems: problems.map(formatProblem),
      alerts: [],
      deliveries: [],
      pending: 0,
      clusterRequests: 0,
      warnings: warning ? [warning] : [],
    };
    for (const problem of report.problems) audit.add({ event: 'invalid_alert', problem });

    const fresh = await searchAndDecide(config, alerts, data, now, options, report, audit);
    report.alerts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    data.pending.push(...fresh);
    pruneState(data, now, config.state.prune_after, new Set([...loaded.alerts.map((a) => a.name), ...loaded.disabled, ...loaded.invalid]));

    if (store) {
      // Pending deliveries are on disk before anything is sent: a crash can repeat a message, never lose one.
      if (data.pending.length) await store.save();
      audit.flush();
      const isSelected = (p: PendingDelivery) => !options.only?.length || options.only.includes(p.alert);
      const isDue = (p: PendingDelivery) => !p.notBefore || p.notBefore <= clock();
      const expired = expirePending(data, now, config.delivery.max_pending_age, audit);
      const channels = deliveryChannels(config);
      const outcomes = await deliverAll(data.pending.filter((p) => isSelected(p) && isDue(p)), channels, config.delivery);
      report.deliveries = [...expired, ...recordDeliveries(data, outcomes, clock(), audit)];
      const tags = writeBackTags(loaded.alerts, report.deliveries, data.pending, now);
      if (tags.length) {
        data.pending.push(...tags);
        report.deliveries.push(...recordDeliveries(data, await deliverAll(tags, channels, config.delivery), clock(), audit));
      }
      report.pending = data.pending.filter(isSelected).length;
      report.exitCode = exitCodeOf(report);
      const fullRun = !options.window && !options.only?.length;
      const lastSuccessAt = report.exitCode === ExitCode.ok ? clock() : data.lastRun?.lastSuccessAt;
      if (fullRun) data.lastRun = { startedAt, finishedAt: clock(), exitCode: report.exitCode, lastSuccessAt };
      await store.save();
      audit.flush();
      if (fullRun && report.exitCode === ExitCode.ok) {
        const warning = await pingHeartbeat(config);
        if (warning) report.warnings.push(warning);
      }
    } else {
      report.exitCode = exitCodeOf(report);
    }
    report.finishedAt = new Date(clock()).toISOString();
    return report;
  } finally {
    await store?.release();
  }
}

function selectAlerts(loaded: LoadedAlerts, only: string[] | undefined): LoadedAlerts {
  if (!only?.length) return loaded;
  const known = new Set([...loaded.alerts.map((a) => a.name), ...loaded.disabled, ...loaded.invalid]);
  const missing = only.filter((name) => !known.has(name));
  if (missing.length) {
    const all = [...known].sort().join(', ') || 'none';
    throw new UserError(`no alert named ${missing.join(', ')} (alerts: ${all})`, ExitCode.usage);
  }
  const disabled = only.filter((name) => loaded.disabled.includes(name));
  if (disabled.length) throw new UserError(`alert ${disabled.join(', ')} is disabled (enabled: false)`, ExitCode.usage);
  const fileOf = (name: string) => new RegExp(`(^|/)${name.replace(/[.]/g, '\\.')}\\.ya?ml$`);
  return {
    alerts: loaded.alerts.filter((a) => only.includes(a.name)),
    problems: loaded.problems.filter((p) => only.some((name) => loaded.invalid.includes(name) && fileOf(name).test(p.file))),
    disabled: [],
    invalid: loaded.invalid.filter((name) => only.includes(name)),
  };
}

async function searchAndDecide(config: Config, alerts: AlertDef[], data: StateData, now: number, options: RunOptions, report: RunReport, audit: AuditLog): Promise<PendingDelivery[]> {
  const due: { alert: AlertDef; window: Window; request: SearchRequest; state: AlertState }[] = [];
  for (const alert of alerts) {
    const state = (data.alerts[alert.name] ??= { keys: {} });
    const plan = options.window ? { due: true as const, window: options.window, skippedMs: 0 } : planAlert(alert, options.ignoreSchedule ? { ...state, lastRunAt: undefined } : state, now);
    if (!plan.due) {
      report.alerts.push({ name: alert.name, status: 'not-due', findings: [] });
      continue;
    }
    if (plan.skippedMs > 0) audit.add({ event: 'window_capped', alert: alert.name, skipped_ms: plan.skippedMs });
    due.push({ alert, window: plan.window, request: buildSearch(alert, plan.window), state });
  }
  const deliveries: PendingDelivery[] = [];
  const searched = due.filter((d) => d.alert.source === 'elasticsearch');
  const outcomeOf = new Map<AlertDef, SourceOutcome>();
  for (const d of due.filter((d) => d.alert.source === 'thehive')) outcomeOf.set(d.alert, await fetchHive(config, d.alert, now));
  let outcomes: SearchOutcome[];
  if (!searched.length) outcomes = [];
  else if (!config.elasticsearch) outcomes = searched.map(() => ({ ok: false, error: 'alertcron.yaml has no elasticsearch: section' }));
  else {
    const result = await multiSearch(config.elasticsearch, searched.map((d) => d.request));
    outcomes = result.outcomes;
    report.clusterRequests = result.requests;
    if (!options.window && !options.only?.length) deliveries.push(...monitorCluster(config, data, result.failure, now, audit));
  }

  searched.forEach((d, i) => outcomeOf.set(d.alert, outcomes[i]!));
  for (const { alert, window, request, state } of due) {
    const outcome = outcomeOf.get(alert)!;
    const entry: AlertReport = { name: alert.name, status: 'ok', window: isoWindow(window), findings: [] };
    if (options.includeRequests && alert.source === 'elasticsearch') entry.request = request;
    try {
      if (!outcome.ok) throw new Error(outcome.error);
      const findings = 'findings' in outcome ? outcome.findings : await evaluate(alert, outcome.response, window);
      const applied = applyFindings(alert, findings, window, state, now, data.silences);
      entry.findings = applied.reports;
      deliveries.push(...applied.deliveries);
      if (!options.window) deliveries.push(...trackAbsentKeys(alert, new Set(findings.map((f) => f.key)), state, now));
      for (const f of applied.reports) audit.add({ event: 'decision', alert: alert.name, key: f.key, count: f.count, reason: f.decision, notify: f.notify });
      for (const f of applied.reports) if (f.decision === 'skipped') report.warnings.push(`alert ${alert.name} key ${JSON.stringify(f.key)}: ${f.message}`);
      if (!options.window) {
        state.window = window;
        state.lastRunAt = now;
      }
      delete state.lastError;
    } catch (error) {
      entry.status = 'error';
      entry.error = redact(errorMessage(error));
      state.lastError = entry.error;
      audit.add({ event: 'alert_error', alert: alert.name, error: entry.error });
    }
    report.alerts.push(entry);
  }
  return deliveries;
}

/** What a source gave for one alert: a search response, ready findings (TheHive), or an error. */
type SourceOutcome = SearchOutcome | { ok: true; findings: Finding[] };

async function fetchHive(config: Config, alert: AlertDef, now: number): Promise<SourceOutcome> {
  if (!config.thehive) return { ok: false, error: 'alertcron.yaml has no thehive: section' };
  const answer = await queryHiveAlerts(config.thehive, alert.thehive ?? {}, now);
  return answer.ok ? { ok: true, findings: hiveFindings(config.thehive, answer.alerts, now, alert.thehive?.object) } : answer;
}
