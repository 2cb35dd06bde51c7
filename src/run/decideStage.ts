import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { AuditEntry } from '../model/audit.js';
import type { AlertState, PendingDelivery, StateData } from '../model/state.js';
import type { Window } from '../model/window.js';
import { isoWindow } from '../model/window.js';
import type { Source } from '../sources/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { quoted } from '../util/text.js';
import { isAhead, rebaseKey } from '../policy/clockStep.js';
import { touchedKeys } from '../state/keyTable.js';
import type { ResolveSetting } from '../policy/resolveTargets.js';
import { decideFindings, directChannels, SUMMARY_KEY, trackAbsentKeys, UNEXAMINED_KEY, type DecidedWithOverflow } from './decide.js';
import type { Evaluated } from './evaluate.js';
import type { AlertReport } from './report.js';
import type { AskRequest } from './conversations.js';
import { plainMap } from '../util/plainMap.js';

/** What the decide stage produced: a report per alert, the notices to queue, audit lines and warnings. */
export interface DecideStageResult {
  alerts: AlertReport[];
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
  warnings: string[];
  /** Findings of ask alerts to start conversations for. */
  asks: AskRequest[];
}

/**
 * Decides over every evaluated alert: its keys' history, its notices, its absent keys; moves its window only
 * when it succeeded and the run owns the window (not for `test --from`). A failed alert keeps its window.
 */
export function decideStage(evaluated: readonly Evaluated[], data: StateData, sources: ReadonlyMap<string, Source>, now: number, options: { fixedWindow: boolean; includeRequests: boolean; maxFindings: number; clockTolerance?: number; resolveSetting: ResolveSetting }): DecideStageResult {
  const result: DecideStageResult = { alerts: [], deliveries: [], audit: [], warnings: [], asks: [] };
  for (const item of evaluated) {
    const alert: AlertBase = item.alert;
    const state = (data.alerts[alert.name] ??= { keys: plainMap() });
    rebaseKeys(state, alert.every, now, options.clockTolerance ?? 0);
    const entry: AlertReport = { name: alert.name, status: 'ok', window: isoWindow(item.window), findings: [] };
    if (options.includeRequests && item.request !== undefined) entry.request = item.request;
    try {
      if (!item.ok) throw new Error(item.rejected ? `${alert.file}: ${item.error} (fix the query; the other alerts ran)` : item.error);
      const source = sources.get(alert.source);
      // An alert that found nothing (most, most minutes) has nothing to decide: no policy, ranking or rendering is set up for it.
      // Keys a group_by search could not examine (beyond its pages of group_size) are also told in one notice; any
      // other note on the findings (keys forgotten by a rule's memory, a source's own) stays a warning only.
      const leftOut = item.keysLeftOut !== undefined && (alert as { group_by?: unknown }).group_by !== undefined;
      const decided = item.findings.length ? decideFindings(alert, item.findings, item.window, state, now, data.silences, (f) => source?.personalise?.(alert, f), options.maxFindings) : nothingDecided();
      const summaries = [decided.overflow.length && directChannels(alert).length ? summarise(alert, decided.overflow, options.maxFindings) : undefined, leftOut ? unexamined(alert, item.incomplete ?? `${item.keysLeftOut} matching event(s) fall under more values than group_size: those keys were not checked (raise group_size)`) : undefined];
      for (const summary of summaries) {
        if (!summary) continue;
        const told = decideFindings(summary.alert, [summary.finding], item.window, state, now, data.silences, () => undefined);
        decided.reports.push(...told.reports);
        decided.deliveries.push(...told.deliveries);
        decided.audit.push(...told.audit);
      }
      if (summaries[0]) result.warnings.push(`alert ${alert.name}: ${summaries[0].finding.count} more notice(s) than run.max_findings (${options.maxFindings}) were summed up in one`);
      if (item.incomplete) {
        result.warnings.push(`alert ${alert.name}: ${item.incomplete}`);
        result.audit.push({ event: 'incomplete', alert: alert.name, detail: item.incomplete });
      }
      if (item.note) {
        result.warnings.push(`alert ${alert.name}: ${item.note}`);
        result.audit.push({ event: 'note', alert: alert.name, detail: item.note });
      }
      entry.findings = decided.reports;
      result.deliveries.push(...decided.deliveries);
      result.asks.push(...decided.asks);
      result.audit.push(...decided.audit);
      for (const f of decided.reports) if (f.decision === 'skipped') result.warnings.push(`alert ${alert.name} key ${quoted(f.key)}: ${f.message}`);
      // Keys are resolved only from a complete answer: a key the search could not show was not seen to be gone. Keys
      // seen but not wholly judged (`unjudged`) are held as they are; the other keys resolve as usual.
      if (!options.fixedWindow && !item.incomplete) {
        const seen = item.findings.length || item.unjudged?.length ? new Set([...item.findings.map((f) => f.key), ...(item.unjudged ?? [])]) : NO_KEYS;
        const resolved = trackAbsentKeys(alert, seen, state, now, options.resolveSetting);
        result.deliveries.push(...resolved.deliveries);
        result.audit.push(...resolved.audit);
      }
      if (!options.fixedWindow) {
        rememberCatchup(state, item.window, alert.every);
        delete state.start;
        state.window = item.window;
        state.lastRunAt = now;
        if (item.ruleState !== undefined) state.rule = item.ruleState;
      }
      delete state.lastError;
    } catch (error) {
      entry.status = 'error';
      if (!item.ok && item.rejected) entry.rejected = true;
      entry.error = redact(errorMessage(error));
      state.lastError = entry.error;
      if (!options.fixedWindow && !state.window) state.start ??= item.window.from;
      result.audit.push({ event: 'alert_error', alert: alert.name, error: entry.error });
    }
    result.alerts.push(entry);
  }
  return result;
}

/**
 * Re-bases the times of an alert's keys that lie ahead of the clock (policy/clockStep.ts), by as much as the clock
 * went back since the alert's last run, taken to be one `every` ago: a key told then is throttled as if from then.
 * Keys the store has not parsed are looked at only when that last run is ahead: a key's times come from its runs.
 */
function rebaseKeys(state: AlertState, every: number, now: number, tolerance: number): void {
  const lastRunAhead = isAhead(state.lastRunAt, now, tolerance);
  const by = lastRunAhead ? state.lastRunAt! - now + every : 0;
  for (const key of lastRunAhead ? Object.values(state.keys) : touchedKeys(state.keys)) rebaseKey(key, now, tolerance, by);
}

/** The keys seen by an alert that found none and judged all it saw. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** What deciding over no findings gives: nothing (its own lists, which the caller may add summaries to). */
function nothingDecided(): DecidedWithOverflow {
  return { reports: [], deliveries: [], audit: [], asks: [], overflow: [] };
}

/** Most keys named in a summary notice. */
const SUMMARY_KEYS = 20;

/**
 * One summary finding for the findings that would have notified beyond run.max_findings, sent on the same
 * channels with the same throttle (its key is SUMMARY_KEY); undefined when there are none.
 */
function summarise(alert: AlertBase, overflow: readonly Finding[], max: number): { alert: AlertBase; finding: Finding } | undefined {
  if (!overflow.length) return undefined;
  const names = overflow.slice(0, SUMMARY_KEYS).map((f) => f.key);
  const finding: Finding = { key: SUMMARY_KEY, count: overflow.length, fields: { keys: names.join(', '), more: Math.max(0, overflow.length - names.length), max }, samples: [] };
  const message = 'Not notified one by one (run.max_findings is {{max}}). Keys: {{keys}} (and {{more}} more). Run alertcron test {{alert}} to see them all.';
  return { alert: summaryAlert(alert, `${alert.name}: {{count}} more findings this run`, message, true), finding };
}

/**
 * The notice of an alert whose search could not examine every key this run (more keys than ten pages of
 * group_size): what was left out and how to raise the limit, on the alert's channels, throttled as a key of its own.
 */
function unexamined(alert: AlertBase, detail: string): { alert: AlertBase; finding: Finding } {
  const finding: Finding = { key: UNEXAMINED_KEY, count: 1, fields: { detail }, samples: [] };
  return { alert: summaryAlert(alert, `${alert.name}: not every key was examined this run`, '{{detail}}. Keys not examined are neither told nor resolved.'), finding };
}

/** The alert a summary notice is decided and rendered as: its own title and message, on the alert's channels. */
function summaryAlert(alert: AlertBase, title: string, message: string, overflow = false): AlertBase {
  return {
    ...alert,
    title,
    message,
    samples: 0,
    escalation: undefined,
    // An ask alert's summaries are told to its escalation channels: nobody is asked about a summary. A summary is
    // never digested: the findings beyond max_findings are in the digest already, the others get the summary.
    notify: alert.ask ? alert.ask.escalate : overflow ? directChannels(alert) : alert.notify,
    ask: undefined,
    digest: undefined,
  };
}

/** Most catch-up starts kept per alert. */
const CATCHUPS_KEPT = 5;

/** Keeps where a long window (a catch-up after downtime, or a jump of the clock) began, for planAfterClockWentBack. */
function rememberCatchup(state: AlertState, window: Window, every: number): void {
  const from = state.window?.to ?? window.from;
  if (window.to - from <= 2 * every) return;
  state.catchups = [...(state.catchups ?? []), from].slice(-CATCHUPS_KEPT);
}
