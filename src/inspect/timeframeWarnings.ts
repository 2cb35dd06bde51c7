import type { AlertBase } from '../model/alert.js';
import type { Problem } from '../config/problems.js';
import { formatDuration } from '../util/duration.js';

/** Rule types that look only at the last timeframe before each run's end, not at the whole window since the last run. */
const LAST_TIMEFRAME_ONLY = new Set(['spike', 'cardinality', 'flatline', 'percentage_match', 'metric_aggregation']);

/**
 * Warnings for alerts whose rule type looks only at the last `timeframe` of each run while runs are further apart
 * (`every`): the time between is never looked at.
 */
export function timeframeWarnings(alerts: readonly AlertBase[]): Problem[] {
  const warnings: Problem[] = [];
  for (const alert of alerts) {
    const condition = (alert as AlertBase & { condition?: { type?: string; timeframe?: number } }).condition;
    if (!condition?.type || !LAST_TIMEFRAME_ONLY.has(condition.type) || typeof condition.timeframe !== 'number') continue;
    if (condition.timeframe >= alert.every) continue;
    warnings.push({
      file: alert.file,
      path: '/condition/timeframe',
      message: `${condition.type} looks only at the last timeframe (${formatDuration(condition.timeframe)}) before each run, and runs are ${formatDuration(alert.every)} apart: the ${formatDuration(alert.every - condition.timeframe)} between is never looked at; make timeframe at least ${formatDuration(alert.every)}, or every at most ${formatDuration(condition.timeframe)}`,
    });
  }
  return warnings;
}
