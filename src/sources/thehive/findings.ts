import type { TheHiveConfig } from './types.js';
import type { HiveAlert } from './client.js';
import { formatDuration } from '../../util/duration.js';
import type { Finding } from '../../model/finding.js';

/** Custom fields as a name -> value map, from TheHive 5's list ({name, value}) or TheHive 4's object ({name: {string: v}}). */
export function customFields(raw: unknown): Record<string, unknown> {
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((f: { name?: string; value?: unknown }) => [String(f.name), f.value]));
  if (raw && typeof raw === 'object') {
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([name, v]) => [name, v && typeof v === 'object' ? Object.values(v as object).find((x) => x !== null && typeof x !== 'object') : v]));
  }
  return {};
}

/** Turns TheHive alerts (or cases) into findings keyed by id, with the link, custom fields and the exact shell commands for templates. */
export function hiveFindings(hive: TheHiveConfig, alerts: HiveAlert[], now: number, object: 'alert' | 'case' = 'alert'): Finding[] {
  return alerts.map((alert) => ({
    key: alert._id,
    count: 1,
    fields: {
      ...alert,
      custom: customFields(alert.customFields),
      link: `${hive.url}/${object === 'case' ? 'cases' : 'alerts'}/${encodeURIComponent(alert._id)}/details`,
      age: formatDuration(now - alert._createdAt),
      promote: `alertcron hive promote ${alert._id}`,
      ignore: `alertcron hive ignore ${alert._id} --for 30m`,
    },
    samples: [],
    createdAt: alert._createdAt,
    severity: typeof alert.severity === 'number' ? alert.severity : undefined,
    text: [alert.title, alert.description, ...(Array.isArray(alert.tags) ? alert.tags : [])].filter((t): t is string => typeof t === 'string'),
  }));
}
