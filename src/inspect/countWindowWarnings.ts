import type { AlertBase } from '../model/alert.js';
import type { Problem } from '../config/problems.js';
import type { Threshold } from '../rules/types.js';
import { formatDuration } from '../util/duration.js';

/** The fewest events a threshold's lower bounds (gte, gt) let through: the least whole number n >= 0 that meets them. */
export function fewestEvents(threshold: Pick<Threshold, 'gt' | 'gte'>): number {
  let least = 0;
  if (threshold.gte !== undefined) least = Math.max(least, Math.ceil(threshold.gte));
  if (threshold.gt !== undefined) least = Math.max(least, Math.floor(threshold.gt) + 1);
  return least;
}

/** The span suggested to count over: 15 minutes, or one `every` if that is longer (a shorter lookback leaves gaps). */
const SUGGESTED_SPAN_MS = 15 * 60_000;

/**
 * Warnings for alerts whose runs do not count what they seem to: a `lookback` shorter than `every` (the events
 * between one run's span and the previous run are never searched), and alerts that count events (a `count`
 * condition, or a `buckets` one on doc_count) against a threshold above 1 without a `lookback`: each run counts
 * only its own window, one `every` long, which rarely holds that many.
 */
export function countWindowWarnings(alerts: readonly AlertBase[]): Problem[] {
  const warnings: Problem[] = [];
  for (const alert of alerts) {
    if (alert.lookback !== undefined && alert.lookback < alert.every) {
      const gap = formatDuration(alert.every - alert.lookback);
      warnings.push({
        file: alert.file,
        path: '/lookback',
        message: `lookback (${formatDuration(alert.lookback)}) is shorter than every (${formatDuration(alert.every)}): each run searches only its last ${formatDuration(alert.lookback)}, so the events of the ${gap} before that are never counted; set lookback: ${formatDuration(alert.every)} or more`,
      });
    }
    if (alert.lookback !== undefined) continue;
    const condition = (alert as AlertBase & { condition?: Threshold & { type?: string; value?: string } }).condition;
    const counts = condition?.type === 'count' || (condition?.type === 'buckets' && condition.value === 'doc_count');
    if (!condition || !counts) continue;
    const least = fewestEvents(condition);
    if (least <= 1) continue;
    const every = formatDuration(alert.every);
    const span = formatDuration(Math.max(SUGGESTED_SPAN_MS, alert.every));
    warnings.push({
      file: alert.file,
      path: `/condition/${condition.gte !== undefined && Math.ceil(condition.gte) === least ? 'gte' : 'gt'}`,
      message:
        `this ${condition.type} condition needs ${least} events within one run's window, and without lookback each run counts only the events since the previous run (every: ${every}): ` +
        `to count over a longer span, set lookback (lookback: ${span} counts the last ${span} at every run) or use type: frequency (num_events: ${least}, timeframe: ${span}); ` +
        `set lookback: ${every} if each run's own ${every} is what you mean`,
    });
  }
  return warnings;
}
