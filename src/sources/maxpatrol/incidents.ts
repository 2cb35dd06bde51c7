import { DeliveryError } from '../../notify/types.js';
import type { MaxPatrolClient } from './client.js';
import { hostOf } from './errors.js';
import type { Incident, IncidentEvent } from './types.js';
import { cutText } from '../../util/text.js';

/** The fields asked for in the list (severity comes back too, but is asked for explicitly as some versions want). */
const SELECT = ['key', 'name', 'category', 'type', 'status', 'severity', 'created', 'assigned'];

/**
 * The body of one page of the incident list: created at or after `from` (UTC ISO with milliseconds, floored to the
 * second since some versions ignore sub-seconds), oldest first, `where` as given (alertcron filters itself).
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
    filter: { select: SELECT, where, orderby: [{ field: 'created', sortOrder: 'ascending' }] },
    queryIds: ['all_incidents'],
  };
}

/** Parses MaxPatrol's creation time (ISO UTC, up to 7 fractional digits) into epoch ms; NaN when it is not one. */
export function parseCreated(created: unknown): number {
  if (typeof created !== 'string') return NaN;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(created.trim());
  if (!m) return NaN;
  return Date.parse(`${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3] ?? 'Z'}`);
}

/** What reading the list gave: every incident created at or after `from` (oldest first, once each), the calls, and a note when cut. */
export interface IncidentRead {
  incidents: Incident[];
  calls: number;
  truncated?: string;
}

/** Parses one page of the list (its rows and totalItems, when given), or throws a DeliveryError naming what is wrong with it. */
function parsePage(client: MaxPatrolClient, text: string): { rows: Incident[]; total?: number } {
  try {
    const body = JSON.parse(text) as { incidents?: unknown; totalItems?: unknown };
    if (Array.isArray(body.incidents)) {
      const rows = (body.incidents as Incident[]).filter((i) => i && typeof i === 'object' && typeof i.id === 'string');
      return { rows, ...(typeof body.totalItems === 'number' ? { total: body.totalItems } : {}) };
    }
  } catch {
    /* reported below */
  }
  throw new DeliveryError(`MaxPatrol at ${hostOf(client.config.url)} did not answer the incident list with {"incidents": [...]}: check maxpatrol.url`, true);
}

/**
 * Reads the incidents created at or after `from`, page after page (offset/limit, oldest first) until none are
 * left, deduplicated by id (a page can repeat a row when incidents arrive during the read), up to `maxItems`.
 */
export async function listIncidents(client: MaxPatrolClient, from: number, signal?: AbortSignal, where = ''): Promise<IncidentRead> {
  const { page_size: limit, max_items: maxItems } = client.config;
  const seen = new Map<string, Incident>();
  let calls = 0;
  // The offset moves by the rows received (a core may give fewer than asked); the read ends at totalItems, or at a
  // short page when the core does not say it, or at an empty page.
  for (let offset = 0; ; ) {
    calls++;
    const answer = await client.call('POST', '/api/v2/incidents/', listBody(from, offset, limit, where), 'the incident list', signal);
    const page = parsePage(client, answer.text);
    for (const incident of page.rows) if (!seen.has(incident.id)) seen.set(incident.id, incident);
    offset += page.rows.length;
    const more = page.rows.length > 0 && (page.total !== undefined ? offset < page.total : page.rows.length >= limit);
    if (seen.size >= maxItems && more) {
      const incidents = [...seen.values()].slice(0, maxItems);
      return { incidents, calls, truncated: `more than ${maxItems} MaxPatrol incidents were created since ${new Date(from).toISOString()}: only the oldest ${maxItems} were read, and no key was resolved this run (raise maxpatrol.max_items or lower max_age)` };
    }
    if (!more) break;
  }
  const incidents = [...seen.values()].sort((a, b) => parseCreated(a.created) - parseCreated(b.created));
  return { incidents, calls };
}

/** The first `limit` events of an incident ([] when it has none or was deleted). */
export async function incidentEvents(client: MaxPatrolClient, incident: Incident, limit: number, signal?: AbortSignal): Promise<IncidentEvent[]> {
  if (limit <= 0) return [];
  const what = `the events of ${incident.key ?? incident.id}`;
  const answer = await client.call('GET', `/api/incidents/${encodeURIComponent(incident.id)}/events?offset=0&limit=${limit}`, undefined, what, signal, true);
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
    const answer = await client.call('GET', `/api/incidentsReadModel/incidents/${encodeURIComponent(keyOrId)}`, undefined, `incident ${keyOrId}`, signal, true);
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
  const answer = await client.call('GET', `/api/incidentsReadModel/incidents/${encodeURIComponent(incident.id)}`, undefined, `incident ${incident.key ?? incident.id}`, signal, true);
  if (answer.status === 404) return incident;
  try {
    return { ...incident, ...(JSON.parse(answer.text) as Incident) };
  } catch {
    return incident;
  }
}
