// How docs/BENCHMARK.md writes numbers: counts, seconds, megabytes, ratios and a series' median with its range.
import type { Summary } from './run.js';

/** A whole number with thousands separators. */
export const int = (x: number) => Math.round(x).toLocaleString('en-US');
/** Seconds: three decimals under 10 s; '–' when unknown. */
export const sec = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x < 10 ? `${x.toFixed(3)} s` : `${x.toFixed(1)} s`);
/** Megabytes (10^6 bytes), whole. */
export const mb = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : `${x.toFixed(0)} MB`);
/** a / b as "12×" (one decimal under 10). */
export const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? '–' : `${(a / b).toFixed(a / b < 10 ? 1 : 0)}×`);
/** A series' median wall time and its (min–max). */
export const range = (s: Summary | undefined) => (s ? `${sec(s.wall_s)} (${sec(s.wall_min_s)}–${sec(s.wall_max_s)})` : '–');
/** A series' median request count, with its range when the runs differ. */
export const reqs = (s: Summary | undefined) => (s ? (s.requests_min === s.requests_max ? int(s.requests) : `${int(s.requests)} (${int(s.requests_min)}–${int(s.requests_max)})`) : '–');
