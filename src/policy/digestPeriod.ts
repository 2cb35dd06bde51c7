import { loadPackage } from '../util/loadPackage.js';
import type { DigestPolicy } from '../model/alert.js';

/** cron-parser, loaded on first use (with its time-zone library): only a run or check that meets a digest schedule pays for it. */
let cron: typeof import('cron-parser').CronExpressionParser | undefined;

/** The parser, loaded with require(): the start-up bundle runs from a V8 code cache, where a dynamic import() cannot. */
function parser(): typeof import('cron-parser').CronExpressionParser {
  cron ??= loadPackage<typeof import('cron-parser')>('cron-parser').CronExpressionParser;
  return cron;
}

/** The next time (epoch ms) strictly after `after` that a 5-field cron expression names, in `timezone` (default: local). */
export function nextCronTime(schedule: string, timezone: string | undefined, after: number): number {
  const options = { currentDate: new Date(after), ...(timezone ? { tz: timezone } : {}) };
  return parser().parse(schedule, options).next().getTime();
}

/** What is wrong with a digest schedule (not 5 fields, a value out of range ...), or undefined when cron can read it. */
export function scheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return `"${schedule}" has ${fields.length} field(s): a schedule has 5 (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"`;
  try {
    nextCronTime(schedule, 'UTC', Date.UTC(2000, 0, 1));
    return undefined;
  } catch (error) {
    return `"${schedule}" is not a cron expression cron-parser can read (${(error as Error).message}): write 5 fields such as "0 9 * * 1-5"`;
  }
}

/** One minute, ms: cron's step. */
const MINUTE = 60_000;

/**
 * When a digest whose first finding came at `start` is due: `every` after it rounded down to the whole minute, or
 * the schedule's next time after it. Pure once cron-parser is loaded.
 */
export function digestDue(policy: Pick<DigestPolicy, 'every' | 'schedule' | 'timezone'>, start: number): number {
  if (policy.schedule !== undefined) return nextCronTime(policy.schedule, policy.timezone, start);
  const end = start + (policy.every ?? 0);
  // A run's clock is its cron minute plus a start-up delay that varies by some hundred ms, so `start + every` kept
  // that delay and the run of that minute, a little earlier, missed it: the digest went a minute late. Rounding down
  // lets the run of that minute send it, and unlike a slack in dueBuckets it never lets a run that started late
  // send a schedule's digest before its cron time (findings of the rest of that minute would make a second one).
  const rounded = Math.floor(end / MINUTE) * MINUTE;
  return rounded > start ? rounded : end;
}
