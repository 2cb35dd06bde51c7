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
    throw new DurationError(`"${text}" is not a duration: write it as 30s, 5m, 1h30m, 7d`);
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
