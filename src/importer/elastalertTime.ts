import { formatDuration } from '../util/duration.js';

/** An ElastAlert2 time ({minutes: 5}, {hours: 1, minutes: 30}) as an alertcron duration (5m, 1h30m); undefined if it is not one. */
export function durationOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const units: Record<string, number> = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, milliseconds: 1 };
  let ms = 0;
  for (const [unit, amount] of Object.entries(value as Record<string, unknown>)) {
    if (units[unit] === undefined || typeof amount !== 'number' || amount < 0) return undefined;
    ms += amount * units[unit];
  }
  // Whole milliseconds: a fraction such as {weeks: 5e-324} is no time at all.
  return Number.isFinite(ms) ? formatDuration(Math.round(ms)) : undefined;
}
