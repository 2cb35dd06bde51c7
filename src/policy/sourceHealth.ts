import type { SourceHealth } from '../model/state.js';

/** What a run learned about a source: its new health, and whether to announce an outage or a recovery. */
export interface HealthChange {
  health: SourceHealth;
  notice?: 'down' | 'recovered';
}

/**
 * Counts a source's failed runs in a row: after `afterFailures` of them, one "down" notice per outage;
 * on the first good run after a notice, one "recovered" notice. Pure.
 */
export function updateSourceHealth(previous: SourceHealth | undefined, failure: string | undefined, now: number, afterFailures: number): HealthChange {
  if (failure === undefined) {
    return { health: { failures: 0 }, notice: previous?.notified ? 'recovered' : undefined };
  }
  const failures = (previous?.failures ?? 0) + 1;
  const announce = failures >= afterFailures && !previous?.notified;
  return {
    health: { failures, since: previous?.since ?? now, lastError: failure, notified: previous?.notified || announce },
    notice: announce ? 'down' : undefined,
  };
}
