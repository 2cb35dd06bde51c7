// The new_term dataset: terms per field and compound terms, known, new, new again, missing fields.
import { run, type OracleResult } from '../../support/oracle.js';
import { event } from '../../support/ruleRuns.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Minutes replayed: steps end at S+1m ... S+80m. */
export const NEW_TERM_SPAN_MINUTES = 80;
/** The terms_window_size both tools use. */
export const NEW_TERM_WINDOW = DAY;

/** A logon of a user (or none) from an address (or none). */
function logon(at: number, user: string | undefined, ip: string | undefined): Record<string, unknown> {
  return event(at, { ...(user === undefined ? {} : { 'user.name': user }), ...(ip === undefined ? {} : { 'source.ip': ip }) });
}

/**
 * The events, relative to the span's start S (no event on a minute boundary):
 * - history: alice from 10.0.0.1 at S-5h; bob from 10.0.0.2 at S-23h30m (inside terms_window_size when the replay
 *   starts, outside it from S+30m on); carol from 10.0.0.3 at S-2d (outside it);
 * - S+5m20s alice/10.0.0.1 (known); S+10m20s alice/203.0.113.7 (known user, new pair);
 * - S+12m20s and S+12m40s carol/10.0.0.3 (new user and pair, twice in one step);
 * - S+40m20s bob/10.0.0.2: last seen 1d10m before: new again for a window that slides (alertcron), known for a
 *   baseline taken when the replay starts (ElastAlert2);
 * - S+50m20s dave without source.ip (new user, no pair); S+60m20s an event without user.name;
 * - S+70m20s dave/10.0.0.9 (known user, new pair).
 */
export function newTermEvents(S: number): Record<string, unknown>[] {
  return [
    logon(S - 5 * HOUR, 'alice', '10.0.0.1'),
    logon(S - 23 * HOUR - 30 * MIN, 'bob', '10.0.0.2'),
    logon(S - 2 * DAY, 'carol', '10.0.0.3'),
    logon(S + 5 * MIN + 20 * SEC, 'alice', '10.0.0.1'),
    logon(S + 10 * MIN + 20 * SEC, 'alice', '203.0.113.7'),
    logon(S + 12 * MIN + 20 * SEC, 'carol', '10.0.0.3'),
    logon(S + 12 * MIN + 40 * SEC, 'carol', '10.0.0.3'),
    logon(S + 40 * MIN + 20 * SEC, 'bob', '10.0.0.2'),
    logon(S + 50 * MIN + 20 * SEC, 'dave', undefined),
    logon(S + 60 * MIN + 20 * SEC, undefined, '10.0.0.8'),
    logon(S + 70 * MIN + 20 * SEC, 'dave', '10.0.0.9'),
  ];
}

/** A field's value in a nested document. */
function lookup(doc: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

/** ElastAlert2's new_term matches as runs keyed by the term (its rule has no query_key): the values joined by ", ", once per run. */
export function termRuns(r: OracleResult, fields: readonly string[]): string[] {
  return [...new Set(r.elastalert.matches.map((m) => run(m.step, fields.map((f) => String(lookup(m.match, f))).join(', '))))].sort();
}
