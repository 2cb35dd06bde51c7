const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The pattern a duration string must match; the JSON Schemas use the same one. */
export const DURATION_PATTERN = '^(\\d+(ms|s|m|h|d|w))+$';

/** The longest duration accepted anywhere (configuration, command line, chat): 365 days, so now + any duration is a valid Date. */
export const MAX_DURATION = '365d';

/** MAX_DURATION in milliseconds. */
export const MAX_DURATION_MS = 365 * UNIT_MS.d!;

/** The longest timeout, wait or run deadline (`timeout`, `deadline`, `lock_wait` ...): one hour. */
export const MAX_TIMEOUT = '1h';

/** The error of a text that is not a duration, or is one longer than its maximum. */
export class DurationError extends Error {}

/** Parses a duration such as `90s`, `30m`, `1h30m` or `7d` into milliseconds; throws a DurationError on anything else or on more than `max` (default 365d). */
export function parseDuration(text: string, max = MAX_DURATION_MS): number {
  const trimmed = text.trim();
  if (!new RegExp(DURATION_PATTERN).test(trimmed)) {
    throw new DurationError(`"${text}" is not a duration: ${durationFix(trimmed) ?? 'write it as 30s, 5m, 1h30m, 7d'}`);
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) {
    total += Number(amount) * (UNIT_MS[unit!] ?? 0);
  }
  if (!(total <= max)) throw new DurationError(tooLong(text, max));
  return total;
}

/** The message for a duration past its maximum: what was given, the maximum, and the fix. */
export function tooLong(text: string, max = MAX_DURATION_MS): string {
  const shown = text.length > 24 ? `${text.slice(0, 20)}...` : text;
  return `"${shown}" is longer than the maximum: give a duration of at most ${formatDuration(max)}`;
}

/** Milliseconds in words, for notices: `15 minutes`, `1 hour 30 minutes`, `45 seconds`. */
export function spokenDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
      rest %= size;
    }
  }
  return parts.join(' ') || `${Math.max(0, ms)} ms`;
}

/** Formats milliseconds as a short human duration (`1h30m`, `45s`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || `${ms}ms`;
}

/** Unit words people write (`5 min`, `2 hours`, `1 sec`), in lower case, and the unit alertcron spells them with. */
const UNIT_WORDS: Record<string, string> = {
  ms: 'ms', msec: 'ms', msecs: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w',
};

/** ElastAlert2's timedelta keys (`timeframe: {minutes: 10}`) and their size in milliseconds. */
const TIMEDELTA_MS: Record<string, number> = { weeks: UNIT_MS.w!, days: UNIT_MS.d!, hours: UNIT_MS.h!, minutes: UNIT_MS.m!, seconds: UNIT_MS.s!, milliseconds: 1 };

/**
 * How to write a value given where a duration belongs, when it looks like one written another way: a bare number
 * (no unit: refused, with the forms it may have meant), ElastAlert2's `{minutes: 10}`, or words such as `5 min`;
 * undefined for anything else (a valid duration included).
 */
export function durationFix(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) value = Number(value.trim());
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return 'a bare number has no unit: write a duration such as 30s, 5m, 1h30m, 7d';
    return `a bare number has no unit: write ${value}m for ${value} minutes (${value}s for seconds, ${value}h for hours)`;
  }
  if (typeof value === 'string') {
    const words = value.trim().toLowerCase();
    const parts = [...words.matchAll(/(\d+)\s*([a-z]+)/g)];
    const rest = words.replace(/(\d+)\s*([a-z]+)/g, '').replace(/\s|,|\band\b/g, '');
    if (!parts.length || rest || parts.some(([, , unit]) => !UNIT_WORDS[unit!])) return undefined;
    const written = parts.map(([, amount, unit]) => `${Number(amount)}${UNIT_WORDS[unit!]}`).join('');
    return written === value.trim() ? undefined : `write ${written}`;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (!entries.length || entries.some(([key, amount]) => !TIMEDELTA_MS[key] || typeof amount !== 'number' || !(amount >= 0))) return undefined;
    const ms = entries.reduce((total, [key, amount]) => total + TIMEDELTA_MS[key]! * (amount as number), 0);
    const written = ms % 1000 === 0 ? formatDuration(ms) : `${Math.round(ms)}ms`;
    return `ElastAlert2's {${entries.map(([key, amount]) => `${key}: ${amount}`).join(', ')}} is written ${written} here`;
  }
  return undefined;
}

/** How long since an ISO time at `now`, as status and the status page print a key's firing time ('?' without one). */
export function durationSince(isoTime: string | null, now: number): string {
  return isoTime ? formatDuration(Math.max(0, now - Date.parse(isoTime))) : '?';
}
