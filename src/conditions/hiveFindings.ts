import type { TheHiveConfig } from '../config/types.js';
import type { HiveAlert } from '../sources/thehive.js';
import { formatDuration } from '../util/duration.js';
import type { Finding } from './finding.js';

/** Turns TheHive alerts into findings keyed by alert id, with the link and the exact shell commands for templates. */
export function hiveFindings(hive: TheHiveConfig, alerts: HiveAlert[], now: number): Finding[] {
  return alerts.map((alert) => ({
    key: alert._id,
    count: 1,
    fields: {
      ...alert,
      link: `${hive.url}/alerts/${encodeURIComponent(alert._id)}/details`,
      age: formatDuration(now - alert._createdAt),
      promote: `alertcron hive promote ${alert._id}`,
      ignore: `alertcron hive ignore ${alert._id} --for 30m`,
    },
    samples: [],
  }));
}
