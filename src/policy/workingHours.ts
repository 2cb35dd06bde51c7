import type { WorkingHours } from '../model/alert.js';

const MINUTE = 60_000;

/** The weekday (0 = Sunday) and minute of the day of an instant in a time zone. */
function localTime(at: number, format: Intl.DateTimeFormat): { day: number; minute: number } {
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { day, minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute) };
}

/** The formatter of a time zone's weekday, hour and minute (throws RangeError for an unknown zone). */
export function zoneFormat(timezone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/**
 * When a span that starts at `start` ends if only working time counts: time outside the working hours is
 * skipped, so a question asked on Friday evening with a 2h deadline is due two working hours into Monday.
 * Without working hours, simply start + span. Counted in whole minutes.
 */
export function deadlineAfter(start: number, span: number, hours: WorkingHours | undefined): number {
  if (!hours) return start + span;
  const format = zoneFormat(hours.timezone);
  const working = (at: number) => {
    const { day, minute } = localTime(at, format);
    return hours.days.includes(day) && minute >= hours.from && minute < hours.to;
  };
  let left = Math.ceil(span / MINUTE);
  let at = Math.floor(start / MINUTE) * MINUTE;
  // A week of minutes at most per working minute asked for: guards against working hours that never occur.
  for (let guard = 0; left > 0 && guard < 8 * 24 * 60 + left * 2; guard++) {
    if (working(at)) left--;
    at += MINUTE;
  }
  return Math.max(at, start + Math.min(span, MINUTE));
}
