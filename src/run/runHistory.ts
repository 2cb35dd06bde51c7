import type { RunRecord, StateData } from '../model/state.js';
import { redact } from '../util/redact.js';
import { oneLine } from '../util/text.js';
import type { RunReport } from './report.js';

/** How many full runs the state's run history keeps (the oldest is dropped first). */
export const RUN_HISTORY_KEPT = 20;

/** The longest first error line a run record keeps (characters). */
const ERROR_LINE_MAX = 300;

/** Adds one full run to the state's bounded history (newest last); a history that is not a list (hand-edited) starts again. */
export function recordRun(data: StateData, report: RunReport, startedAt: number, finishedAt: number): void {
  const failed = report.alerts.filter((a) => a.status === 'error');
  const refused = report.deliveries.filter((d) => !d.ok && !d.muted);
  const firstError = failed[0]?.error ?? (refused[0] ? `${refused[0].alert} -> ${refused[0].channel}: ${refused[0].error ?? 'not accepted'}` : report.stateUnavailable);
  const run: RunRecord = {
    startedAt,
    finishedAt,
    exitCode: report.exitCode,
    alerts: report.alerts.filter((a) => a.status !== 'not-due').length,
    alertsFailed: failed.length,
    delivered: report.deliveries.filter((d) => d.ok && !d.muted).length,
    deliveriesFailed: refused.length,
    pending: report.pending,
    ...(firstError ? { firstError: oneLine(redact(firstError), ERROR_LINE_MAX) } : {}),
  };
  data.runs = [...(Array.isArray(data.runs) ? data.runs : []), run].slice(-RUN_HISTORY_KEPT);
}
