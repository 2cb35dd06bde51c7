// The dataset of ElastAlert2's duplicate flatline match: a key that slows down but does not stop.
import { event } from '../../support/ruleRuns.js';

const SEC = 1000;
const MIN = 60 * SEC;

/** Minutes replayed: steps end at S+1m ... S+30m. */
export const FLATLINE_TWICE_SPAN_MINUTES = 30;

/**
 * The events, relative to the span's start S: web01 sends one event every 20 s from S-10m until S+15m, then one a
 * minute (at :55, the last event of its step) until the end; db01 one every 20 s throughout. With threshold 10 over 5 minutes, web01 flatlines
 * once its last five minutes hold fewer than ten events.
 */
export function flatlineTwiceEvents(S: number): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let m = -10; m < FLATLINE_TWICE_SPAN_MINUTES; m++) {
    for (const s of [10, 30, 50]) docs.push(event(S + m * MIN + s * SEC, { 'host.name': 'db01' }));
    for (const s of m < 15 ? [10, 30, 50] : [55]) docs.push(event(S + m * MIN + s * SEC, { 'host.name': 'web01' }));
  }
  return docs;
}
