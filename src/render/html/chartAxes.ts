// Tick positions and labels for a chart's axes: round UTC times along x, round numbers along y.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Distances between time ticks people read easily, smallest first. */
const TIME_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];

/** One tick: where (a time in epoch ms, or a value) and what it says. */
export interface Tick {
  at: number;
  label: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Time ticks between `from` and `to` (epoch ms) at a round UTC distance giving at most `most` ticks; a tick at
 * midnight, or every tick when they are a day or more apart, shows the date (`12-07`), the others the time (`14:30`).
 */
export function timeTicks(from: number, to: number, most = 8): Tick[] {
  if (!(to > from)) return [{ at: from, label: timeLabel(from, true) }];
  const distance = TIME_STEPS.find((step) => (to - from) / step <= most) ?? Math.ceil((to - from) / most / DAY) * DAY;
  const ticks: Tick[] = [];
  for (let at = Math.ceil(from / distance) * distance; at <= to; at += distance) ticks.push({ at, label: timeLabel(at, distance >= DAY || at % DAY === 0) });
  return ticks;
}

function timeLabel(at: number, date: boolean): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return date ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The value axis' range: from min(0, lowest) to the highest value (1 when all are 0 or there are none), widened to round ticks. */
export function valueTicks(low: number, high: number, most = 6): { ticks: Tick[]; min: number; max: number } {
  let min = Math.min(0, Number.isFinite(low) ? low : 0);
  let max = Number.isFinite(high) ? high : 1;
  if (max <= min) max = min + 1;
  const raw = (max - min) / Math.max(1, most - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const ticks: Tick[] = [];
  for (let i = 0; min + i * step <= max + step / 1e6; i++) {
    const at = min + i * step;
    ticks.push({ at, label: formatValue(at) });
  }
  return { ticks, min, max };
}

/** A value as people read it: integers whole (with thousands separators), others to at most four significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Number(value.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 10 });
}
