// The datasets of percentage_match and metric_aggregation: thresholds crossed from both sides and met exactly,
// min_denominator, compound keys, missing fields. Each rule looks at its one-minute run window.
import { event } from '../../support/ruleRuns.js';

const SEC = 1000;
const MIN = 60 * SEC;

/** Minutes replayed: steps end at S+1m ... S+12m. */
export const AGGREGATES_SPAN_MINUTES = 12;

/** `n` requests of a host and service in minute m (seconds 3, 6 ...), the first `errors` of them answered 500, the others 200. */
function requests(S: number, m: number, host: string | undefined, service: string, n: number, errors: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => event(S + m * MIN + (3 + 3 * i) * SEC, {
    ...(host === undefined ? {} : { 'host.name': host }),
    'service.name': service,
    'http.status': i < errors ? 500 : 200,
  }));
}

/**
 * Requests, relative to the span's start S (no event on a minute boundary); percentage_match counts the share
 * answered 500 per host (max_percentage 20, min_percentage 1, min_denominator 5):
 * - minute 2: web01 10 requests, 3 errors (30%: above); web02 10 requests, 2 errors (20%: not above);
 * - minute 4: web01 4 requests, 4 errors (fewer than min_denominator); web02 5 requests, none (0%: below);
 * - minute 6: web01 api 6 requests with 2 errors and web01 shop 6 with none (16.67% for web01: inside; per
 *   host and service 33.33% and 0%); events without host.name, all errors;
 * - minute 8: web02 5 requests, 1 error (20%: inside).
 */
export function percentageEvents(S: number): Record<string, unknown>[] {
  return [
    ...requests(S, 2, 'web01', 'api', 10, 3), ...requests(S, 2, 'web02', 'api', 10, 2),
    ...requests(S, 4, 'web01', 'api', 4, 4), ...requests(S, 4, 'web02', 'api', 5, 0),
    ...requests(S, 6, 'web01', 'api', 6, 2), ...requests(S, 6, 'web01', 'shop', 6, 0), ...requests(S, 6, undefined, 'api', 5, 5),
    ...requests(S, 8, 'web02', 'shop', 5, 1),
  ];
}

/** A CPU sample of a host and service (or none) in minute m at second s; `pct` undefined leaves the field out. */
function cpu(S: number, m: number, s: number, host: string | undefined, service: string, pct: number | undefined): Record<string, unknown> {
  return event(S + m * MIN + s * SEC, { ...(host === undefined ? {} : { 'host.name': host }), 'service.name': service, ...(pct === undefined ? {} : { 'system.cpu.pct': pct }) });
}

/**
 * CPU samples, relative to the span's start S; metric_aggregation takes the average per host (max_threshold 0.9,
 * min_threshold 0.05) and, compound, the maximum per host and service (max_threshold 0.9):
 * - minute 1: db01 0.95 and 0.97 (average 0.96: above); app01 0.5;
 * - minute 3: db01 0.9 and 0.9 (average exactly 0.9: not above); app01 0.04 (below);
 * - minute 5: app01 api 0.99 and app01 web 0.2 (average 0.595: inside; api's maximum above); db01 with no value;
 * - minute 7: events without host.name at 0.99; app01 0.05 (exactly the minimum: not below).
 */
export function metricEvents(S: number): Record<string, unknown>[] {
  return [
    cpu(S, 1, 10, 'db01', 'sql', 0.95), cpu(S, 1, 40, 'db01', 'sql', 0.97), cpu(S, 1, 20, 'app01', 'api', 0.5),
    cpu(S, 3, 10, 'db01', 'sql', 0.9), cpu(S, 3, 40, 'db01', 'sql', 0.9), cpu(S, 3, 20, 'app01', 'api', 0.04),
    cpu(S, 5, 10, 'app01', 'api', 0.99), cpu(S, 5, 30, 'app01', 'web', 0.2), cpu(S, 5, 50, 'db01', 'sql', undefined),
    cpu(S, 7, 10, undefined, 'api', 0.99), cpu(S, 7, 20, 'app01', 'api', 0.05),
  ];
}
