import type { MonitoringConfig } from '../model/config.js';
import type { StateTransaction } from '../state/store.js';
import type { AuditLog } from './audit.js';
import { exitCodeOf, type RunReport } from './report.js';
import { monitorSources } from './selfMonitor.js';

/**
 * When the shared store failed in the middle of a run (after the lease was taken): the run reports it as the state
 * cluster being unusable (exit 3), counts the failure in this host's source health and queues the "cannot search
 * the cluster" notice when it is due; commit() then keeps both in the local file, for the next run to send.
 */
export async function reportStoreLost(tx: Pick<StateTransaction, 'data' | 'commit'>, failure: string, report: RunReport, monitoring: MonitoringConfig, audit: AuditLog, now: number): Promise<void> {
  if (!report.stateUnavailable) report.warnings.push(`the state cluster cannot be used (${failure}): this run stopped where it lost it; the next run resumes from what was recorded (what was sent is in this host's journal)`);
  report.stateUnavailable = failure;
  const monitored = monitorSources(monitoring, tx.data.sources, new Map([['elasticsearch', `the state index cannot be used: ${failure}`]]), now, {}, report.host);
  Object.assign(tx.data.sources, monitored.health);
  tx.data.pending.push(...monitored.deliveries);
  audit.addAll(monitored.audit);
  audit.add({ event: 'state_unavailable', error: failure });
  await tx.commit();
  report.exitCode = exitCodeOf(report);
}
