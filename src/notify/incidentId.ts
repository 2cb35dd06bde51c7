import { createHash } from 'node:crypto';

/**
 * The id a paging channel gives what it opens for one alert and key (PagerDuty's dedup_key, Opsgenie's alias, a
 * Jira label, an Alertmanager label): the same for every notice of that key, so its resolve closes what its
 * trigger opened; `alertcron-` and 40 hex characters of a SHA-256 over both, so log text never reaches the service
 * as an identifier and fits every service's limit.
 */
export function incidentId(alert: string, key: string): string {
  return `alertcron-${createHash('sha256').update(JSON.stringify([alert, key])).digest('hex').slice(0, 40)}`;
}
