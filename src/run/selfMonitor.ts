import { randomUUID } from 'node:crypto';
import type { Config } from '../config/types.js';
import { get } from '../http/post.js';
import { updateSourceHealth } from '../policy/sourceHealth.js';
import type { PendingDelivery, StateData } from '../state/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import type { AuditLog } from './audit.js';

/** The pseudo-alert name under which alertcron's own notices are delivered and audited. */
export const SELF_ALERT = '_alertcron';

/**
 * Records how the cluster did in this run and returns the notices that are due: one when it has failed
 * `after_failures` runs in a row, one when it answers again.
 */
export function monitorCluster(config: Config, data: StateData, failure: string | undefined, now: number, audit: AuditLog): PendingDelivery[] {
  const { health, notice } = updateSourceHealth(data.sources.elasticsearch, failure, now, config.monitoring.after_failures);
  const previous = data.sources.elasticsearch;
  data.sources.elasticsearch = health;
  if (!notice) return [];
  audit.add({ event: notice === 'down' ? 'source_down' : 'source_recovered', source: 'elasticsearch', failures: health.failures, error: health.lastError });
  const since = new Date((notice === 'down' ? health.since : previous?.since) ?? now).toISOString();
  const title = notice === 'down' ? 'alertcron cannot search the cluster' : 'alertcron searches the cluster again';
  const message =
    notice === 'down'
      ? `${health.failures} runs in a row failed since ${since}; alerts are not being evaluated. Last error: ${health.lastError}`
      : `The cluster answers again (it had failed since ${since}). Alerts resume where their windows ended.`;
  return config.monitoring.notify.map((channel) => ({ id: randomUUID(), alert: SELF_ALERT, key: 'elasticsearch', channel, reason: notice, title, message, createdAt: now, attempts: 0 }));
}

/** Pings the heartbeat URL after a good run; returns a warning when the ping fails. */
export async function pingHeartbeat(config: Config): Promise<string | undefined> {
  const url = config.monitoring.heartbeat_url;
  if (!url) return undefined;
  try {
    const answer = await get(new URL(url), { headers: { 'user-agent': 'alertcron' }, timeoutMs: config.monitoring.heartbeat_timeout });
    // The URL itself is not shown: a heartbeat URL is the check's secret.
    return answer.status < 300 ? undefined : `the heartbeat URL answered HTTP ${answer.status}`;
  } catch (error) {
    return `the heartbeat ping failed: ${redact(errorMessage(error)).replace(url, '<heartbeat_url>')}`;
  }
}
