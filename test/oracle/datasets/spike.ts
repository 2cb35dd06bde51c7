// The spike dataset: spikes up and down per host, a key warming up through a burst, events with no key.
import { event } from '../../support/ruleRuns.js';

const SEC = 1000;
const MIN = 60 * SEC;

/** Minutes replayed: steps end at S+1m ... S+90m. */
export const SPIKE_SPAN_MINUTES = 90;

/** One event per listed second of each minute in [fromMin, toMin) (minutes relative to S). */
function perMinute(S: number, fromMin: number, toMin: number, seconds: readonly number[], fields: Record<string, unknown>): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let m = fromMin; m < toMin; m++) for (const s of seconds) docs.push(event(S + m * MIN + s * SEC, fields));
  return docs;
}

/** Ten events a minute, at seconds 5, 10 ... 50. */
const BURST = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50];

/**
 * The events, relative to the span's start S (no event on a minute boundary):
 * - web01: one a minute (at :30) from S-40m to the end, but ten a minute in minutes 50-52: a spike up, then the
 *   return to normal, which against the burst in the reference is a spike down;
 * - db01: three a minute from S-40m until S+30m, then nothing: a spike down to zero;
 * - new01: first seen at S+20m, one a minute, ten in minute 25 (still warming up), then one a minute;
 * - events without host.name: one a minute (at :40) from S-40m, ten a minute in minutes 75-77.
 */
export function spikeEvents(S: number): Record<string, unknown>[] {
  const web = { 'host.name': 'web01' };
  return [
    ...perMinute(S, -40, 50, [30], web),
    ...perMinute(S, 50, 53, BURST, web),
    ...perMinute(S, 53, SPIKE_SPAN_MINUTES, [30], web),
    ...perMinute(S, -40, 30, [10, 30, 50], { 'host.name': 'db01' }),
    ...perMinute(S, 20, 25, [20], { 'host.name': 'new01' }),
    ...perMinute(S, 25, 26, BURST, { 'host.name': 'new01' }),
    ...perMinute(S, 26, SPIKE_SPAN_MINUTES, [20], { 'host.name': 'new01' }),
    ...perMinute(S, -40, 75, [40], { 'service.name': 'batch' }),
    ...perMinute(S, 75, 78, BURST, { 'service.name': 'batch' }),
    ...perMinute(S, 78, SPIKE_SPAN_MINUTES, [40], { 'service.name': 'batch' }),
  ];
}

/** Minutes replayed for the field_value case: steps end at S+1m ... S+30m. */
export const LATENCY_SPAN_MINUTES = 30;

/**
 * One request a minute (at :30) from S-20m with a top-level `latency` of 100, but 300 in minutes 15-17 (relative
 * to S). Over 5-minute windows the average is 220 against 100 from S+18m to S+20m: a spike up of height 2.
 */
export function latencyEvents(S: number): Record<string, unknown>[] {
  return Array.from({ length: 20 + LATENCY_SPAN_MINUTES }, (_, i) => i - 20).map((m) => event(S + m * MIN + 30 * SEC, { latency: m >= 15 && m <= 17 ? 300 : 100 }));
}
