import type { AuditEntry } from '../model/audit.js';
import type { MonitoringConfig } from '../model/config.js';
import type { PendingDelivery, SourceHealth } from '../model/state.js';
import { get } from '../http/post.js';
import { SELF_ALERT } from '../model/alert.js';
import { enqueue } from '../outbox/enqueue.js';
import { updateSourceHealth } from '../policy/sourceHealth.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { oneLine } from '../util/text.js';


/** The pseudo-source under which a clock that went back is announced. */
export const CLOCK_SOURCE = 'clock';

/** Titles of the notices about the cluster and the clock, which are not reached like other sources. */
const TITLES: Record<string, Record<'down' | 'recovered', string>> = {
  elasticsearch: { down: 'alertcron cannot search the cluster', recovered: 'alertcron searches the cluster again' },
  maxpatrol: { down: 'alertcron cannot read MaxPatrol SIEM incidents', recovered: 'alertcron reads MaxPatrol SIEM incidents again' },
  [CLOCK_SOURCE]: { down: "alertcron's clock went back behind its search windows", recovered: "alertcron's clock runs forward again" },
};

/** How each source asked in this run did, and the notices that are due about it. */
export interface Monitored {
  health: Record<string, SourceHealth>;
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
}

/** The key of a self-monitoring notice: the source, or `<source>@<host>` when hosts share the cluster state (one incident per host). */
export function selfKey(source: string, host: string | undefined): string {
  return host === undefined ? source : `${source}@${host}`;
}

/**
 * Records how every source asked in this run did and returns the notices that are due: one when a source has
 * failed `after_failures` runs in a row, one when it answers again. Each source is named in its notices; with
 * `host` (hosts sharing the cluster state, where the holder of `_alertcron`'s partition delivers every host's
 * notices) so is this host, in the title, the message and the key.
 */
export function monitorSources(config: MonitoringConfig, previous: Readonly<Record<string, SourceHealth>>, failures: ReadonlyMap<string, string | undefined>, now: number, afterFailures: Readonly<Record<string, number>> = {}, host?: string): Monitored {
  const monitored: Monitored = { health: {}, deliveries: [], audit: [] };
  for (const [source, failure] of failures) {
    const before = previous[source];
    const { health, notice } = updateSourceHealth(before, failure, now, afterFailures[source] ?? config.after_failures);
    monitored.health[source] = health;
    if (!notice) continue;
    monitored.audit.push({ event: notice === 'down' ? 'source_down' : 'source_recovered', source, failures: health.failures, error: health.lastError });
    const since = new Date((notice === 'down' ? health.since : before?.since) ?? now).toISOString();
    const what = source === 'elasticsearch' ? 'the cluster' : source;
    const title = TITLES[source]?.[notice] ?? (notice === 'down' ? `alertcron cannot reach ${source}` : `alertcron reaches ${source} again`);
    const message =
      source === CLOCK_SOURCE
        ? notice === 'down'
          ? `${health.lastError}. Alerting goes on; check the host's time synchronisation (NTP).`
          : `The clock runs forward again: no window has been ahead of it since ${new Date(now).toISOString()}.`
        : notice === 'down'
        ? `${health.failures} runs in a row failed since ${since}; alerts over ${source} are not being evaluated. Last error: ${health.lastError}`
        : `${what.charAt(0).toUpperCase()}${what.slice(1)} answers again (it had failed since ${since}). Its alerts resume where their windows ended.`;
    const on = host === undefined ? '' : ` on ${oneLine(host, 120)}`;
    const named = host === undefined ? { title, message } : { title: /^alertcron(?:'s clock)? /.test(title) ? title.replace(/^(alertcron(?:'s clock)?) /, `$1${on} `) : `${title}${on}`, message: `${message} (host ${oneLine(host, 120)})` };
    monitored.deliveries.push(...enqueue({ alert: SELF_ALERT, key: selfKey(source, host), reason: notice, ...named }, config.notify, now));
  }
  return monitored;
}

/** Pings the heartbeat URL after a good run, never past the run's deadline; returns a warning when the ping fails. */
export async function pingHeartbeat(config: MonitoringConfig, deadlineAt = Infinity): Promise<string | undefined> {
  const url = config.heartbeat_url;
  if (!url) return undefined;
  try {
    const answer = await get(new URL(url), { headers: { 'user-agent': 'alertcron' }, timeoutMs: Math.max(1, Math.min(config.heartbeat_timeout, deadlineAt - Date.now())) });
    // The URL itself is not shown: a heartbeat URL is the check's secret.
    return answer.status < 300 ? undefined : `the heartbeat URL answered HTTP ${answer.status}`;
  } catch (error) {
    return `the heartbeat ping failed: ${redact(errorMessage(error)).replace(url, '<heartbeat_url>')}`;
  }
}
