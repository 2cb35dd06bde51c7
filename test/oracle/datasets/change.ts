// The change dataset: values changing and changing back, a change 15 s apart and a return after more than the
// timeframe (issue 24 point 2), missing values, a value known only from before the replay.
import { event } from '../../support/ruleRuns.js';

const SEC = 1000;
const MIN = 60 * SEC;

/** Minutes replayed: steps end at S+1m ... S+90m. */
export const CHANGE_SPAN_MINUTES = 90;

/** A sighting of a user in a country (or with no country). */
function seen(at: number, user: string, country: string | undefined): Record<string, unknown> {
  return event(at, { 'user.name': user, ...(country === undefined ? {} : { 'geo.country': country }) });
}

/**
 * The events, relative to the span's start S (no event on a minute boundary):
 * - alice: DE at 5m10s and 10m10s, FR at 20m10s (a change), FR at 30m10s, DE at 31m10s and FR at 31m40s (two
 *   changes in one step);
 * - bob: FR at 2m10s, DE at 2m25s (a change 15 s later), FR at 62m45s (60m20s after DE: no change within 1h);
 * - carol: US at 15m10s, no country at 16m10s, US at 17m10s (no change: a missing value is skipped);
 * - frank: NL at 1m30s, BE at 80m30s (a change 79 minutes apart);
 * - gina: DE at S-30m (before the replay), FR at 5m40s;
 * - eve: SE at 3m50s and 45m50s (never changes).
 */
export function changeEvents(S: number): Record<string, unknown>[] {
  const at = (m: number, s: number) => S + m * MIN + s * SEC;
  return [
    seen(at(5, 10), 'alice', 'DE'), seen(at(10, 10), 'alice', 'DE'), seen(at(20, 10), 'alice', 'FR'),
    seen(at(30, 10), 'alice', 'FR'), seen(at(31, 10), 'alice', 'DE'), seen(at(31, 40), 'alice', 'FR'),
    seen(at(2, 10), 'bob', 'FR'), seen(at(2, 25), 'bob', 'DE'), seen(at(62, 45), 'bob', 'FR'),
    seen(at(15, 10), 'carol', 'US'), seen(at(16, 10), 'carol', undefined), seen(at(17, 10), 'carol', 'US'),
    seen(at(1, 30), 'frank', 'NL'), seen(at(80, 30), 'frank', 'BE'),
    seen(at(-30, 0), 'gina', 'DE'), seen(at(5, 40), 'gina', 'FR'),
    seen(at(3, 50), 'eve', 'SE'), seen(at(45, 50), 'eve', 'SE'),
  ];
}
