import type { AlertDef } from '../config/types.js';
import type { AlertState } from '../state/types.js';
import type { Window } from './buildSearch.js';

/** Slack allowed on `every:` so that a cron run a few seconds early still counts as due. */
export const DUE_SLACK_MS = 5_000;

/** The plan for one alert in this run: skipped as not due, or due with its window. */
export type AlertPlan = { due: false; nextAt: number } | { due: true; window: Window; skippedMs: number };

/**
 * Decides whether an alert is due and which window it searches: from where its last successful
 * window ended to now minus the ingest delay, capped by max_catchup (or a fixed lookback). Pure.
 */
export function planAlert(alert: AlertDef, state: AlertState | undefined, now: number): AlertPlan {
  if (state?.lastRunAt !== undefined && now < state.lastRunAt + alert.every - DUE_SLACK_MS) {
    return { due: false, nextAt: state.lastRunAt + alert.every };
  }
  const to = now - alert.ingest_delay;
  if (alert.lookback !== undefined) return { due: true, window: { from: to - alert.lookback, to }, skippedMs: 0 };
  let from = state?.window?.to ?? to - alert.first_lookback;
  let skippedMs = 0;
  if (to - from > alert.max_catchup) {
    skippedMs = to - alert.max_catchup - from;
    from = to - alert.max_catchup;
  }
  // A window never moves backwards (a larger ingest_delay, a clock stepped back): wait until now catches up.
  if (to <= from) return { due: false, nextAt: from + alert.ingest_delay };
  return { due: true, window: { from, to }, skippedMs };
}
