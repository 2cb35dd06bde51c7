import type { AlertBase } from '../model/alert.js';
import type { AuditEntry } from '../model/audit.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import { isoWindow } from '../model/window.js';
import type { Source } from '../sources/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { decideFindings, trackAbsentKeys } from './decide.js';
import type { Evaluated } from './evaluate.js';
import type { AlertReport } from './report.js';

/** What the decide stage produced: a report per alert, the notices to queue, audit lines and warnings. */
export interface DecideStageResult {
  alerts: AlertReport[];
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
  warnings: string[];
}

/**
 * Decides over every evaluated alert: its keys' history, its notices, its absent keys; moves its window only
 * when it succeeded and the run owns the window (not for `test --from`). A failed alert keeps its window.
 */
export function decideStage(evaluated: readonly Evaluated[], data: StateData, sources: ReadonlyMap<string, Source>, now: number, options: { fixedWindow: boolean; includeRequests: boolean }): DecideStageResult {
  const result: DecideStageResult = { alerts: [], deliveries: [], audit: [], warnings: [] };
  for (const item of evaluated) {
    const alert: AlertBase = item.alert;
    const state = (data.alerts[alert.name] ??= { keys: {} });
    const entry: AlertReport = { name: alert.name, status: 'ok', window: isoWindow(item.window), findings: [] };
    if (options.includeRequests && item.request !== undefined) entry.request = item.request;
    try {
      if (!item.ok) throw new Error(item.rejected ? `${alert.file}: ${item.error} (fix the query; the other alerts ran)` : item.error);
      const source = sources.get(alert.source);
      const decided = decideFindings(alert, item.findings, item.window, state, now, data.silences, (f) => source?.personalise?.(alert, f));
      entry.findings = decided.reports;
      result.deliveries.push(...decided.deliveries);
      result.audit.push(...decided.audit);
      for (const f of decided.reports) if (f.decision === 'skipped') result.warnings.push(`alert ${alert.name} key ${JSON.stringify(f.key)}: ${f.message}`);
      if (item.truncated) {
        result.warnings.push(`alert ${alert.name}: ${item.truncated}`);
        result.audit.push({ event: 'alert_truncated', alert: alert.name, reason: item.truncated });
      }
      if (!options.fixedWindow) {
        // A truncated list proves nothing about the keys it lacks: none of them is resolved.
        if (!item.truncated) result.deliveries.push(...trackAbsentKeys(alert, new Set(item.findings.map((f) => f.key)), state, now));
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
      result.audit.push({ event: 'alert_error', alert: alert.name, error: entry.error });
    }
    result.alerts.push(entry);
  }
  return result;
}
