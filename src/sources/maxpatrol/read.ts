import type { Finding } from '../../model/finding.js';
import { listed, quoted } from '../../util/serverValues.js';
import type { Window } from '../../model/window.js';
import type { MaxPatrolClient } from './client.js';
import { incidentFinding } from './findings.js';
import { incidentEvents, listIncidents, parseCreated } from './incidents.js';
import type { Incident, IncidentEvent, MaxPatrolCursor, MaxPatrolFilter } from './types.js';
import { ownValue, plainMap } from '../../util/plainMap.js';

/** Events requests in flight at once. */
const EVENT_CONCURRENCY = 4;
/**
 * Most incidents whose events one run fetches (shared by all its MaxPatrol alerts): a burst beyond it is told over the next runs (oldest first), so
 * that a run always ends within its deadline and its cursor moves on, instead of failing the same read forever.
 */
export const EVENT_READS_PER_RUN = 100;
/** How far ahead of this host's clock an incident may be dated before the run warns of the core's clock. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Whether an incident passes an alert's filter (status, severity and type compared without regard to case). */
export function matchesFilter(filter: MaxPatrolFilter, incident: Incident): boolean {
  const isIn = (value: unknown, wanted: string[] | undefined) => !wanted || wanted.some((w) => w.toLowerCase() === String(value ?? '').toLowerCase());
  return isIn(incident.status, filter.status) && isIn(incident.severity, filter.severity) && isIn(incident.type, filter.type);
}

/** Where one alert's read starts: its cursor, else the window's start (first run, `test --from`), never before max_age nor after now. */
export function readFrom(filter: MaxPatrolFilter, cursor: MaxPatrolCursor | undefined, window: Window, now: number): number {
  return Math.min(Math.max(cursor?.from ?? window.from, now - filter.max_age), now);
}

/** What one alert's read gave: its findings (oldest first), the cursor to keep, the calls, the events reads it spent, and a note when it was cut. */
export interface AlertRead {
  findings: Finding[];
  saved: MaxPatrolCursor;
  calls: number;
  eventReads: number;
  incomplete?: string;
}

/**
 * Reads one alert's incidents: every incident created since its cursor, page after page, oldest first; those that
 * match its filter are findings, each with its first events (read once per incident and kept in the cursor;
 * at most EVENT_READS_PER_RUN new incidents a run, the newer ones of a larger burst wait for the next runs).
 * The next read starts at the oldest incident that still matches (so it stays in view for escalation and its
 * resolved notice), or at the newest one seen when none matches. Throws a DeliveryError when MaxPatrol fails:
 * the caller then keeps the old cursor.
 */
export async function readAlert(client: MaxPatrolClient, filter: MaxPatrolFilter, cursor: MaxPatrolCursor | undefined, window: Window, now: number, signal?: AbortSignal, eventBudget = EVENT_READS_PER_RUN): Promise<AlertRead> {
  const from = readFrom(filter, cursor, window, now);
  const read = await listIncidents(client, from, signal);
  let calls = read.calls;
  const floor = now - filter.max_age;
  const matching = read.incidents.filter((i) => matchesFilter(filter, i) && !(parseCreated(i.created) < floor));
  const events = plainMap<IncidentEvent[]>();
  let budget = Math.max(0, eventBudget);
  const ready = matching.filter((i) => ownValue(cursor?.events, i.id) !== undefined || filter.max_events === 0 || (budget > 0 && budget-- > 0));
  const eventReads = Math.max(0, eventBudget) - budget;
  const deferred = matching.length - ready.length;
  const queue = [...ready];
  // After one events read fails the others stop taking work: the read fails as a whole (the cursor stays), and
  // nothing of it goes on behind the caller's back.
  let failed = false;
  const worker = async () => {
    for (let incident = queue.shift(); incident && !failed; incident = queue.shift()) {
      const known = ownValue(cursor?.events, incident.id);
      if (known) events[incident.id] = known;
      else {
        if (filter.max_events > 0) calls++;
        try {
          events[incident.id] = await incidentEvents(client, incident, filter.max_events, signal);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: EVENT_CONCURRENCY }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  const times = (list: Incident[]) => list.map((i) => parseCreated(i.created)).filter((t) => !Number.isNaN(t));
  const next = matching.length ? Math.min(...times(matching)) : read.incidents.length ? Math.max(...times(read.incidents)) : from;
  // An incident dated ahead of this host's clock never takes the cursor past now: what is created meanwhile stays in view.
  const future = read.incidents.filter((i) => parseCreated(i.created) > now + FUTURE_TOLERANCE_MS);
  const notes = [
    read.truncated,
    deferred ? `${deferred} more new MaxPatrol incidents than one run reads the events of (${EVENT_READS_PER_RUN}) are told at the next runs` : undefined,
    future.length ? `${future.length} MaxPatrol incident(s) dated ahead of this host's clock (${listed(future.map((i) => `${quoted(i.key ?? i.id)} created ${i.created}`))}): the read cursor stays at now (check the core's clock)` : undefined,
    read.setAside.length ? `${read.setAside.length} MaxPatrol row(s) set aside: ${listed(read.setAside)}` : undefined,
  ].filter(Boolean);
  return {
    findings: ready.map((i) => incidentFinding(client.config, i, events[i.id] ?? [], now)),
    saved: { from: Number.isFinite(next) ? Math.min(Math.max(next, from), now) : from, events },
    calls,
    eventReads,
    ...(notes.length ? { incomplete: notes.join('; ') } : {}),
  };
}
