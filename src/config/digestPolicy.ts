import type { DigestPolicy } from '../model/alert.js';
import { scheduleProblem } from '../policy/digestPeriod.js';
import { parseDuration } from '../util/duration.js';
import type { Problem } from './problems.js';

/** An alert's `digest:` as written (checked by the schema first). */
export interface RawDigest {
  every?: string;
  schedule?: string;
  timezone?: string;
  per?: string | string[];
  fields?: string[];
  max_rows?: number;
  by_match_time?: boolean;
  channels?: string[];
}

/** Rows a digest lists unless max_rows says otherwise. */
export const DEFAULT_DIGEST_ROWS = 50;

/**
 * What the schema cannot say about a digest: exactly one of every and schedule, a schedule cron can read, a known
 * time zone (for a schedule only), digest channels among the alert's notify, and no digest on an `ask` alert.
 */
export function checkDigest(raw: { digest?: RawDigest; notify?: unknown; ask?: unknown }, at: (where: (string | number)[], message: string) => Problem): Problem[] {
  const digest = raw.digest;
  if (!digest || typeof digest !== 'object') return [];
  const problems: Problem[] = [];
  if (raw.ask) problems.push(at(['digest'], 'an ask alert asks the person each finding names, and nobody is asked about a digest: remove digest: or ask:'));
  const every = typeof digest.every === 'string';
  const schedule = typeof digest.schedule === 'string';
  if (every === schedule) {
    const fix = 'give exactly one of every (a period from the first finding, e.g. every: 1h) and schedule (cron times, e.g. schedule: "0 9 * * 1-5")';
    problems.push(at(every ? ['digest', 'schedule'] : ['digest'], every ? `both every and schedule are set: ${fix}` : `neither every nor schedule is set: ${fix}`));
  }
  if (schedule) {
    const why = scheduleProblem(digest.schedule!);
    if (why) problems.push(at(['digest', 'schedule'], why));
  }
  if (typeof digest.timezone === 'string') {
    if (!schedule) problems.push(at(['digest', 'timezone'], 'timezone applies to schedule only: remove it, or give a schedule instead of every'));
    else {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: digest.timezone });
      } catch {
        problems.push(at(['digest', 'timezone'], `unknown time zone "${digest.timezone}": use an IANA name such as Europe/Moscow or America/New_York (default: this machine's zone)`));
      }
    }
  }
  const notify = Array.isArray(raw.notify) ? (raw.notify as unknown[]) : [];
  (Array.isArray(digest.channels) ? digest.channels : []).forEach((channel, i) => {
    if (!notify.includes(channel)) problems.push(at(['digest', 'channels', i], `"${channel}" is not one of this alert's notify channels (${notify.join(', ') || 'none'}): digest.channels picks which of them get digests; add it to notify or remove it here`));
  });
  return problems;
}

/**
 * The completed digest: table columns default to the alert's group_by fields (else the key), 50 rows, every
 * notify channel; with by_match_time the event time is read from `timeField` (the alert's timestamp field).
 */
export function completeDigest(digest: RawDigest, notify: string[], groupBy: unknown, timeField: string | undefined): DigestPolicy {
  const list = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? (value as string[]) : []);
  const fields = digest.fields ?? list(groupBy);
  return {
    ...(digest.every !== undefined ? { every: parseDuration(digest.every) } : {}),
    ...(digest.schedule !== undefined ? { schedule: digest.schedule.trim() } : {}),
    ...(digest.timezone !== undefined ? { timezone: digest.timezone } : {}),
    per: list(digest.per),
    fields: fields.length ? fields : ['key'],
    max_rows: digest.max_rows ?? DEFAULT_DIGEST_ROWS,
    ...(digest.by_match_time ? { by_match_time: timeField ? { field: timeField } : {} } : {}),
    channels: digest.channels ?? notify,
  };
}
