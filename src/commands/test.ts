import { loadProject } from '../config/loadProject.js';
import type { AlertDef, Config } from '../config/types.js';
import type { Window } from '../model/window.js';
import { regularWindow } from '../run/plan.js';
import { runAlerts } from '../run/runAlerts.js';
import type { ClusterConnection } from '../state/cluster/client.js';
import { openStore } from '../state/store.js';
import { searchSpan } from '../sources/elasticsearch/buildSearch.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import { explainAlerts } from './explainAlerts.js';
import { clockFromEnv } from '../util/clock.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { printErrors, printFindings, printJson } from './printReport.js';

/** Options of `alertcron test`. */
export interface TestCommandOptions {
  config: string;
  from?: string;
  to: string;
  send?: boolean;
  json?: boolean;
}

/** Parses `now`, an ISO time, or a duration meaning that long ago, into epoch milliseconds. */
export function parseTime(text: string, now: number, flag: string): number {
  if (text === 'now') return now;
  if (/^\d+(ms|s|m|h|d|w)/.test(text)) {
    try {
      return now - parseDuration(text);
    } catch (error) {
      throw new UserError(`${flag} ${errorMessage(error)}`, ExitCode.usage);
    }
  }
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new UserError(`${flag} ${text}: use an ISO time (2026-11-23T10:00:00Z), a duration ago (15m) or now`, ExitCode.usage);
  return parsed;
}

/** Warns, below the alert, of each of its channels that lacks a secret: `--send` would leave its deliveries pending. */
function addChannelWarnings(notes: Map<string, string[]>, config: Config, alert: AlertDef | undefined): void {
  if (!alert) return;
  const channels = [...new Set([...alert.notify, ...(alert.escalation ?? []).flatMap((tier) => tier.notify)])];
  const warnings = channels.flatMap((name) => {
    const missing = config.channels[name]?.missingSecret;
    return missing ? [`warning: channel ${name}: ${missing}: with --send its deliveries would stay pending`] : [];
  });
  if (warnings.length) notes.set(alert.name, [...(notes.get(alert.name) ?? []), ...warnings]);
}

/** How far back `test` counts hits for its summary when --from is not given. */
export const SUMMARY_SPAN_MS = 5 * 60_000;

/**
 * `alertcron test <alert>`: the same path as run, for one alert, showing request, findings and decisions, then its
 * hits before condition and grouping (in all, per index), its number of keys, and why it may find nothing. A search
 * alert is evaluated over the window a run at --to (default now) searches; --from/--to set only the hit summary's span.
 */
export async function testCommand(alert: string, options: TestCommandOptions): Promise<number> {
  const now = clockFromEnv()();
  const to = parseTime(options.to, now, '--to');
  const from = options.from === undefined ? undefined : parseTime(options.from, now, '--from');
  if (from !== undefined && from >= to) throw new UserError('--from must be before --to', ExitCode.usage);
  const { config, loaded } = await loadProject(options.config);
  const def = loaded.alerts.find((a) => a.name === alert);
  // An incident queue is read over [--from, --to) or over the next run's window: --to alone would be ignored.
  if (def && def.source !== 'elasticsearch' && from === undefined && options.to !== 'now') throw new UserError(`--to needs --from for alert ${def.name}: a ${def.source} alert reads its queue over [--from, --to), or without both over the next run's window`, ExitCode.usage);
  const plan = def ? testPlan(def, to, from) : from !== undefined ? { window: { from, to } } : undefined;
  const report = await runAlerts({ configFile: options.config, only: [alert], dryRun: !options.send, window: plan?.window, ignoreSchedule: true, includeRequests: true, checkTemplates: true });
  const searched = report.alerts.filter((a) => a.status !== 'not-due');
  const { explanations, notes } = await explainAlerts(config, loaded, searched, plan?.span);
  if (def && plan?.span && plan.window) {
    const first = def.lookback === undefined && !(await hasRun(config, def.name)) ? [firstRunLine(def)] : [];
    notes.set(def.name, [runWindowLine(def as SearchAlertDef, plan.window), ...first, ...(notes.get(def.name) ?? [])]);
  }
  if (!options.send) addChannelWarnings(notes, config, def);
  if (options.json) printJson({ ...report, explanations });
  else {
    for (const entry of report.alerts) {
      if (entry.request) console.log(describeRequest(entry.request));
    }
    printFindings(report, true, notes);
    if (!options.send) console.log('(nothing sent, state untouched: add --send to deliver)');
  }
  printErrors(report);
  return report.exitCode;
}

/**
 * What `test` evaluates and what it only counts: a search alert's regular run window ending at `to` less its
 * ingest_delay (as a run at `to` searches it), and the hit summary's span [from, to) (at least the last 5 minutes and
 * the window). An alert of another source (an incident queue) reads [from, to) when given, else the next run's window.
 */
export function testPlan(alert: AlertDef, to: number, from: number | undefined): { window?: Window; span?: Window } {
  if (alert.source !== 'elasticsearch') return from === undefined ? {} : { window: { from, to } };
  const window = regularWindow(alert, to - alert.ingest_delay);
  return { window, span: { from: from ?? Math.min(to - SUMMARY_SPAN_MS, window.from), to } };
}

/** Whether the alert has searched a window already (read from the state as it is, without the lock). */
async function hasRun(config: Config, name: string): Promise<boolean> {
  const store = await openStore(config.state, config.sources.elasticsearch as ClusterConnection | undefined);
  return (await store.peek()).data.alerts[name]?.window !== undefined;
}

/** The note for an alert that never ran: its first run searches first_lookback once, a longer window than the one above. */
function firstRunLine(alert: AlertDef): string {
  return `this alert has not run yet: its first run searches the last ${formatDuration(alert.first_lookback)} (first_lookback) once, the runs after it the window above`;
}

/** The line that says which window the findings and decisions above were evaluated over, and why that one. */
function runWindowLine(alert: SearchAlertDef, window: Window): string {
  const length = alert.lookback !== undefined ? `the last ${formatDuration(alert.lookback)} (lookback)` : `the last ${formatDuration(alert.every)} (every: each run searches from where the last one ended)`;
  const delay = alert.ingest_delay ? `, ending ${formatDuration(alert.ingest_delay)} (ingest_delay) before the run` : '';
  const span = searchSpan(alert, window);
  const wider = span.from < window.from ? `; its ${alert.condition.type} condition's search reaches back to ${new Date(span.from).toISOString()} (the span this rule type looks at)` : '';
  return `evaluated as a run would, over the window a run searches: ${length}${delay}${wider}`;
}

/** The request an alert sent, for people: a search as `POST /index/_search` and its body, anything else as JSON. */
function describeRequest(request: unknown): string {
  const search = request as { index?: unknown; body?: unknown };
  if (typeof search.index === 'string' && search.body) return redact(`request: POST /${search.index}/_search\n${JSON.stringify(search.body, null, 2)}`);
  return redact(`request:\n${JSON.stringify(request, null, 2)}`);
}
