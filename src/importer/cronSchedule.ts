import { loadPackage } from '../util/loadPackage.js';
import { quoteData } from './quote.js';

/** croniter's `@` shortcuts, as the five fields they stand for. */
const ALIASES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Month and weekday names as numbers (croniter reads them in any case). */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The lowest and highest value of each of the five fields: minute, hour, day of month, month, day of week. */
const BOUNDS: readonly [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

/** A field's value (a number, or a month or weekday name) as a number, or undefined. */
function valueOf(text: string, field: number): number | undefined {
  const lower = text.toLowerCase();
  if (/^\d+$/.test(lower)) return Number(lower);
  const names = field === 3 ? MONTHS : field === 4 ? DAYS : [];
  const i = names.indexOf(lower);
  return i < 0 ? undefined : field === 3 ? i + 1 : i;
}

/**
 * One field in cron-parser's syntax: croniter's ranges that wrap around (`fri-mon`, `22-2`) become two ranges
 * (`5-6,0-1`), its last weekday `L5` becomes `5L`. Undefined, with the reason, for what cron-parser cannot say.
 */
function fieldOf(text: string, field: number): { text: string } | { problem: string } {
  if (/(^|[,/-])[hr](\(|[,/-]|$)/i.test(text)) return { problem: `${quoteData(text)}: hashed (H) and random (R) values have no equivalent` };
  const items = text.split(',').map((item) => {
    if (field === 4) item = item.replace(/^l([0-7])$/i, '$1L');
    const range = /^([a-z0-9]+)-([a-z0-9]+)(\/\d+)?$/i.exec(item);
    if (!range) return item;
    const [lo, hi] = [valueOf(range[1]!, field), valueOf(range[2]!, field)];
    if (lo === undefined || hi === undefined) return item;
    // Sunday is 0 and 7 in croniter: a range from 7 starts on Sunday.
    const from = field === 4 && lo === 7 ? 0 : lo;
    // croniter reads a range from a value to itself (9-9, sun-7) as every value.
    if (from === (field === 4 && hi === 7 ? 0 : hi)) return null;
    if (from <= hi) return `${from}-${hi}${range[3] ?? ''}`;
    if (range[3]) return undefined;
    const [min, max] = BOUNDS[field]!;
    return `${from}-${max},${min}-${hi}`;
  });
  if (items.some((i) => i === null)) return { problem: `${quoteData(text)}: croniter reads a range from a value to itself as every value: write the value alone, or *` };
  if (items.some((i) => i === undefined)) return { problem: `${quoteData(text)}: a range that wraps around with a step has no equivalent` };
  const joined = items.join(',');
  if (/#|\dL/.test(joined) && joined.includes(',')) return { problem: `${quoteData(text)}: an nth or last weekday (1#2, L5) in a list has no equivalent` };
  const { values, kept } = expand(joined.split(','), field);
  // A list the user wrote may overlap (`*\/15,*\/20`, `1-5,3`): cron-parser refuses a value twice, so its plain items
  // are spelled out as their distinct values (`L`, `5L` stay as written); the two ranges of a wrapping one never do.
  return { text: text.includes(',') ? [...[...values].sort((a, b) => a - b).map(String), ...kept].join(',') : joined };
}

/** The values a field's items stand for, and the items that are no plain values (`L`, `5L`, `1#2`), each once. */
function expand(items: string[], field: number): { values: Set<number>; kept: string[] } {
  const [min, max] = BOUNDS[field]!;
  const values = new Set<number>();
  const kept: string[] = [];
  for (const raw of items) {
    const named = valueOf(raw, field);
    const item = named === undefined ? raw : String(named);
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!m) {
      kept.push(item);
      continue;
    }
    const from = m[1] === '*' ? min : Number(m[1]);
    // croniter reads `a/s` as from a to the field's end.
    const to = m[1] === '*' || (m[2] === undefined && m[3] !== undefined) ? max : m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    for (let v = from; v <= to; v += step) values.add(field === 4 && v === 7 ? 0 : v);
  }
  return { values, kept: [...new Set(kept)] };
}

/** What a croniter schedule became: the five cron fields alertcron reads, and a difference worth naming. */
export type CronConversion = { schedule: string; difference?: string } | { problem: string };

/**
 * ElastAlert2's `aggregation: {schedule: ...}` (read by croniter, in UTC) as a five-field cron schedule that
 * cron-parser reads the same way: `@hourly` and the like spelled out, croniter's sixth field (seconds, last)
 * dropped since a run sends in that minute, wrapping ranges split, `L5` written `5L`. A year field, hashed or
 * random values, and anything cron-parser refuses are a problem, with the reason.
 */
export function croniterToCron(expression: string): CronConversion {
  const trimmed = expression.trim();
  const alias = ALIASES[trimmed.toLowerCase()];
  const fields = (alias ?? trimmed).split(/\s+/);
  if (trimmed.startsWith('@') && !alias) return { problem: `${quoteData(trimmed)} is not one of croniter's @yearly, @monthly, @weekly, @daily, @hourly` };
  if (fields.length === 7) return { problem: 'a schedule with a year field (7 fields) has no equivalent: write the 5 fields' };
  if (fields.length !== 5 && fields.length !== 6) return { problem: `${fields.length} fields: croniter reads 5 (or 6, seconds last)` };
  let difference: string | undefined;
  if (fields.length === 6) {
    const seconds = fields.pop()!;
    if (!/^[\d*,/-]+$/.test(seconds) || (seconds.match(/\d+/g) ?? []).some((n) => Number(n) > 59)) return { problem: `the sixth field ${quoteData(seconds)} is croniter's seconds, 0-59` };
    if (seconds !== '0') difference = `the seconds field ${quoteData(seconds)} is dropped: the digest goes out with the run of that minute`;
  }
  // croniter then ignores or intersects the other day field, where cron adds the two up.
  if ((/#|(^|,)l\d/i.test(fields[4]!) || /l/i.test(fields[2]!)) && fields[2] !== '*' && fields[4] !== '*') return { problem: `${quoteData(trimmed)}: croniter combines an nth or last weekday (1#2, L5), or the last day of the month (L), with the other day field its own way: keep one of them (*)` };
  const out: string[] = [];
  for (const [i, text] of fields.entries()) {
    const converted = fieldOf(text, i);
    if ('problem' in converted) return converted;
    out.push(converted.text);
  }
  // With both day fields set, cron adds them up; croniter does too, except for a field that starts with * or holds
  // every value, which it reads its own way.
  const set = (f: string) => f !== '*' && f !== '?';
  const full = (f: string, i: number) => {
    const { values, kept } = expand(f.split(','), i);
    return !kept.length && values.size === BOUNDS[i]![1] - BOUNDS[i]![0] + 1;
  };
  if (set(fields[2]!) && set(fields[4]!) && (fields[2]!.startsWith('*') || fields[4]!.startsWith('*') || full(out[2]!, 2) || full(out[4]!, 4))) {
    return { problem: `${quoteData(trimmed)}: croniter combines a day field that starts with * or holds every day with the other day field its own way: keep one of them (*)` };
  }
  const schedule = out.join(' ');
  try {
    const { CronExpressionParser } = loadPackage<typeof import('cron-parser')>('cron-parser');
    CronExpressionParser.parse(schedule, { tz: 'UTC', strict: false }).next();
  } catch (error) {
    return { problem: `${quoteData(trimmed)}: ${quoteData(error instanceof Error ? error.message : String(error), 120)}` };
  }
  return difference ? { schedule, difference } : { schedule };
}
