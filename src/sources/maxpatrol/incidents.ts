import { DeliveryError } from '../../notify/types.js';
import type { MaxPatrolClient } from './client.js';
import { hostOf } from './errors.js';
import { isSafeId, parseCreated, rowProblem } from './incidentRow.js';
import type { Incident, IncidentEvent } from './types.js';
import { cutText } from '../../util/text.js';

/** The fields asked for in the list (severity comes back too, but is asked for explicitly as some versions want). */
const SELECT = ['key', 'name', 'category', 'type', 'status', 'severity', 'created', 'assigned'];

/**
 * The body of one page of the incident list: created at or after `from` (UTC ISO with milliseconds, floored to the
 * second since some versions ignore sub-seconds), newest first, `where` as given (alertcron filters itself).
 */
export function listBody(from: number, offset: number, limit: number, where = ''): Record<string, unknown> {
  const timeFrom = new Date(Math.floor(from / 1000) * 1000).toISOString();
  return {
    offset,
    limit,
    groups: { filterType: 'no_filter' },
    timeFrom,
    timeTo: null,
    filterTimeType: 'creation',
    filter: { select: SELECT, where, orderby: [{ field: 'created', sortOrder: 'descending' }] },
    queryIds: ['all_incidents'],
  };
}

export { parseCreated } from './incidentRow.js';

/** What reading the list gave: every usable incident created at or after `from` (oldest first, once each), the calls, a note when cut, and the rows set aside. */
export interface IncidentRead {
  incidents: Incident[];
  calls: number;
  truncated?: string;
  /** Rows that were not used, each saying why (an id that is not a safe path segment, a creation time that is not one ...). */
  setAside: string[];
}

/** Parses one page of the list (its usable rows, why the others were set aside, how many rows it had, and totalItems when given), or throws a DeliveryError naming what is wrong with it. */
function parsePage(client: MaxPatrolClient, text: string): { rows: Incident[]; setAside: string[]; received: number; total?: number } {
  try {
    const body = JSON.parse(text) as { incidents?: unknown; totalItems?: unknown };
    if (Array.isArray(body.incidents)) {
      const rows: Incident[] = [];
      const setAside: string[] = [];
      for (const row of body.incidents as unknown[]) {
        const problem = rowProblem(row);
        if (problem) setAside.push(problem);
        else rows.push(row as Incident);
      }
      return { rows, setAside, received: body.incidents.length, ...(typeof body.totalItems === 'number' ? { total: body.totalItems } : {}) };
    }
  } catch {
    /* reported below */
  }
  throw new DeliveryError(`MaxPatrol at ${hostOf(client.config.url)} did not answer the incident list with {"incidents": [...]}: check maxpatrol.url`, true);
}

/**
 * Reads the incidents created at or after `from`, page after page (offset/limit, newest first) until none are
 * left, deduplicated by id (a page can repeat a row when incidents arrive during the read), keeping the newest
 * `maxItems`. A page that adds nothing new ends the read with a note (a core that ignores the offset would
 * otherwise be asked again and again until the deadline).
 */
export async function listIncidents(client: MaxPatrolClient, from: number, signal?: AbortSignal, where = ''): Promise<IncidentRead> {
  const { page_size: limit, max_items: maxItems } = client.config;
  const seen = new Map<string, Incident>();
  const setAside: string[] = [];
  let calls = 0;
  let truncated: string | undefined;
  // The offset moves by the rows received (a core may give fewer than asked); the read ends at totalItems, or at a
  // short page when the core does not say it, or at an empty page.
  for (let offset = 0; ; ) {
    calls++;
    const answer = await client.call('POST', '/api/v2/incidents/', listBody(from, offset, limit, where), 'the incident list', signal);
    const page = parsePage(client, answer.text);
    const before = seen.size + setAside.length;
    let cut = false;
    for (const incident of page.rows) {
      if (seen.has(incident.id)) continue;
      if (seen.size < maxItems) seen.set(incident.id, incident);
      else cut = true;
    }
    for (const problem of page.setAside) if (!setAside.includes(problem)) setAside.push(problem);
    offset += page.received;
    const more = page.received > 0 && (page.total !== undefined ? offset < page.total : page.received >= limit);
    if (cut || (more && seen.size >= maxItems)) {
      truncated = `more than ${maxItems} MaxPatrol incidents were created since ${new Date(from).toISOString()}: only the newest ${maxItems} were read, and no key was resolved this run (raise maxpatrol.max_items or lower max_age)`;
      break;
    }
    if (!more) break;
    if (seen.size + setAside.length === before) {
      truncated = `MaxPatrol's incident list gave a page with nothing new at offset ${offset - page.received}: the read stopped there, and no key was resolved this run (check that the core pages with offset/limit)`;
      break;
    }
  }
  const incidents = [...seen.values()].sort((a, b) => parseCreated(a.created) - parseCreated(b.created));
  return { incidents, calls, setAside, ...(truncated ? { truncated } : {}) };
}

/** The path of an incident under `prefix` (e.g. /api/incidents/{id}/events); throws a DeliveryError for an id that is not a safe path segment (`..` must never reach a URL). */
export function incidentPath(client: MaxPatrolClient, prefix: string, id: unknown, suffix = ''): string {
  if (!isSafeId(id)) throw new DeliveryError(`MaxPatrol at ${hostOf(client.config.url)} gave an incident id that is not a safe path segment: it was set aside`, false);
  return `${prefix}/${id}${suffix}`;
}

/** The first `limit` events of an incident ([] when it has none or was deleted). */
export async function incidentEvents(client: MaxPatrolClient, incident: Incident, limit: number, signal?: AbortSignal): Promise<IncidentEvent[]> {
  if (limit <= 0) return [];
  const what = `the events of ${incident.key ?? incident.id}`;
  const answer = await client.call('GET', incidentPath(client, '/api/incidents', incident.id, `/events?offset=0&limit=${limit}`), undefined, what, signal, true);
  if (answer.status === 404) return [];
  try {
    const events = JSON.parse(answer.text) as unknown;
    if (Array.isArray(events)) return (events as IncidentEvent[]).slice(0, limit).map((e) => ({ id: e?.id, date: e?.date, description: typeof e?.description === 'string' ? cutText(e.description, 1000) : undefined }));
  } catch {
    /* reported below */
  }
  throw new DeliveryError(`MaxPatrol at ${hostOf(client.config.url)} did not answer ${what} with a list`, true);
}

/** UUIDs are incident ids; anything else is taken as an incident key (INC-123). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds an incident by its key (INC-123) or id: the list filtered on the key (older cores that ignore the filter
 * are paged through), or the incident read by id. Throws a DeliveryError when there is none.
 */
export async function findIncident(client: MaxPatrolClient, keyOrId: string, signal?: AbortSignal): Promise<Incident> {
  if (UUID.test(keyOrId)) {
    const answer = await client.call('GET', incidentPath(client, '/api/incidentsReadModel/incidents', keyOrId), undefined, `incident ${keyOrId}`, signal, true);
    if (answer.status !== 404) return JSON.parse(answer.text) as Incident;
  } else if (/^[A-Za-z]+-\d+$/.test(keyOrId)) {
    const read = await listIncidents(client, 0, signal, `key = "${keyOrId}"`);
    const found = read.incidents.find((i) => i.key === keyOrId);
    if (found) return found;
  }
  throw new DeliveryError(`MaxPatrol at ${hostOf(client.config.url)} has no incident ${keyOrId} (give its key, e.g. INC-123, or its id)`, false);
}

/** Re-reads one incident's current fields (status, assignee ...) from the read model; its list row when that fails with 404. */
export async function readIncident(client: MaxPatrolClient, incident: Incident, signal?: AbortSignal): Promise<Incident> {
  const answer = await client.call('GET', incidentPath(client, '/api/incidentsReadModel/incidents', incident.id), undefined, `incident ${incident.key ?? incident.id}`, signal, true);
  if (answer.status === 404) return incident;
  try {
    return { ...incident, ...(JSON.parse(answer.text) as Incident) };
  } catch {
    return incident;
  }
}
