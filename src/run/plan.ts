import type { AlertBase } from '../model/alert.js';
import type { AuditEntry } from '../model/audit.js';
import type { AlertState, StateData } from '../model/state.js';
import type { Window } from '../model/window.js';
import { isAhead } from '../policy/clockStep.js';

/** Slack allowed on `every:` so that a cron run a few seconds early still counts as due. */
export const DUE_SLACK_MS = 5_000;

/** The plan for one alert in this run: skipped as not due, or due with its window (and how far the clock went back, if it did). */
export type AlertPlan = { due: false; nextAt: number } | { due: true; window: Window; skippedMs: number; clockBackMs?: number };

/**
 * Decides whether an alert is due and which window it searches: from where its last successful
 * window ended to now minus the ingest delay, capped by max_catchup (or a fixed lookback). Pure.
 */
export function planAlert(alert: AlertBase, state: AlertState | undefined, now: number, clockTolerance = 0): AlertPlan {
  // The last run claims a time later than now: the clock went back (or a jump forward was corrected). With a shared
  // state, up to `clockTolerance` ahead is another host's clock: the alert waits (that host ran it), as when not due.
  if (isAhead(state?.lastRunAt, now, clockTolerance)) return planAfterClockWentBack(alert, state!, now);
  if (state?.lastRunAt !== undefined && now < state.lastRunAt + alert.every - DUE_SLACK_MS) {
    return { due: false, nextAt: state.lastRunAt + alert.every };
  }
  const to = now - alert.ingest_delay;
  if (alert.lookback !== undefined) return { due: true, window: regularWindow(alert, to), skippedMs: 0 };
  // A new alert whose first searches fail keeps its first start: its first minutes are not lost.
  let from = state?.window?.to ?? state?.start ?? to - alert.first_lookback;
  let skippedMs = 0;
  if (to - from > alert.max_catchup) {
    skippedMs = to - alert.max_catchup - from;
    from = to - alert.max_catchup;
  }
  // A window never moves backwards (a larger ingest_delay, a clock stepped back): wait until now catches up.
  if (to <= from) return { due: false, nextAt: from + alert.ingest_delay };
  return { due: true, window: { from, to }, skippedMs };
}

/**
 * The window a run searches once the alert runs on schedule, ending at `to` (a run's now less ingest_delay): its
 * trailing `lookback`, else one `every` (the window resumed from the previous run's end).
 */
export function regularWindow(alert: Pick<AlertBase, 'every' | 'lookback'>, to: number): Window {
  return { from: to - (alert.lookback ?? alert.every), to };
}

/**
 * After the clock went back, the stored window lies (partly) ahead of now. Waiting for the clock to catch up
 * would keep the alert silent for as long as the jump; instead the window resumes from the last boundary that is
 * not ahead of now: where a long (catch-up) window began, for a jump forward that was corrected, else one
 * interval back. Events in the span searched again pass the per-key throttle like any others.
 */
function planAfterClockWentBack(alert: AlertBase, state: AlertState, now: number): AlertPlan {
  const to = now - alert.ingest_delay;
  const clockBackMs = state.lastRunAt! - now;
  if (alert.lookback !== undefined) return { due: true, window: { from: to - alert.lookback, to }, skippedMs: 0, clockBackMs };
  const boundaries = [state.window?.from, ...(state.catchups ?? [])].filter((b): b is number => b !== undefined && b < to);
  let from = boundaries.length ? Math.max(...boundaries) : to - alert.every;
  let skippedMs = 0;
  if (to - from > alert.max_catchup) {
    skippedMs = to - alert.max_catchup - from;
    from = to - alert.max_catchup;
  }
  return { due: true, window: { from, to }, skippedMs, clockBackMs };
}

/** One alert due in this run, with the window it looks at. */
export interface DueAlert<A extends AlertBase = AlertBase> {
  alert: A;
  window: Window;
}

/** What planning decided: the due alerts, the ones not due, and the audit lines (capped windows). */
export interface Planned<A extends AlertBase> {
  due: DueAlert<A>[];
  notDue: string[];
  audit: AuditEntry[];
  /** The alerts whose stored window was ahead of the clock, with how far the clock went back (ms). */
  clockBack: Map<string, number>;
}

/** Plans every selected alert: due or not, and its window (or the window a `test` asked for). */
export function planStage<A extends AlertBase>(alerts: readonly A[], data: StateData, now: number, options: { window?: Window; ignoreSchedule?: boolean; clockTolerance?: number }): Planned<A> {
  const planned: Planned<A> = { due: [], notDue: [], audit: [], clockBack: new Map() };
  for (const alert of alerts) {
    const state = data.alerts[alert.name];
    const plan = options.window
      ? { due: true as const, window: options.window, skippedMs: 0 }
      : planAlert(alert, options.ignoreSchedule && state ? { ...state, lastRunAt: undefined } : state, now, options.clockTolerance);
    if (!plan.due) {
      planned.notDue.push(alert.name);
      continue;
    }
    if (plan.skippedMs > 0) planned.audit.push({ event: 'window_capped', alert: alert.name, skipped_ms: plan.skippedMs });
    if (plan.clockBackMs !== undefined) {
      planned.clockBack.set(alert.name, plan.clockBackMs);
      planned.audit.push({ event: 'clock_went_back', alert: alert.name, by_ms: plan.clockBackMs, resumed_from: new Date(plan.window.from).toISOString() });
    }
    planned.due.push({ alert, window: plan.window });
  }
  return planned;
}
