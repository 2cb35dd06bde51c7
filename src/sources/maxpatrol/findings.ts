import type { Finding } from '../../model/finding.js';
import { formatDuration } from '../../util/duration.js';
import { parseCreated } from './incidents.js';
import type { Incident, IncidentEvent, MaxPatrolConfig } from './types.js';

/** MaxPatrol's severities on alertcron's numeric scale (escalation tiers' `severity: [...]`): Low 1, Medium 2, High 3. */
export const SEVERITY_LEVELS: Record<string, number> = { low: 1, medium: 2, high: 3 };

/** Formats an instant as `YYYY-MM-DD HH:MM:SS <zone>` in an IANA time zone; the text given when it is not a time. */
export function formatInZone(at: number, timeZone: string, fallback = ''): string {
  if (Number.isNaN(at)) return fallback;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/** The assignee as a name: MaxPatrol gives a string, an object {firstName, lastName, name, login}, or null. */
export function assigneeName(assigned: unknown): string {
  if (typeof assigned === 'string') return assigned;
  if (assigned && typeof assigned === 'object') {
    const a = assigned as Record<string, unknown>;
    const full = [a.firstName, a.lastName].filter((x) => typeof x === 'string' && x).join(' ');
    return full || String(a.name ?? a.login ?? a.id ?? '');
  }
  return '';
}

/** The link to an incident in MaxPatrol's web UI. */
export function incidentLink(config: MaxPatrolConfig, incident: Incident): string {
  return `${config.url}/#/incident/incidents/view/${encodeURIComponent(incident.id)}`;
}

/** The events as lines for a notice: the local time and the description, one event per line. */
function eventLines(events: readonly IncidentEvent[], timeZone: string): string {
  return events.map((e) => `${formatInZone(parseCreated(e.date), timeZone, String(e.date ?? ''))}  ${String(e.description ?? '').replace(/\s+/g, ' ')}`).join('\n');
}

/** The finding of one incident: its key (INC-123), fields for templates, events, link, commands, age and severity for escalation. */
export function incidentFinding(config: MaxPatrolConfig, incident: Incident, events: readonly IncidentEvent[], now: number): Finding {
  const created = parseCreated(incident.created);
  const key = typeof incident.key === 'string' && incident.key ? incident.key : incident.id;
  const severity = SEVERITY_LEVELS[String(incident.severity ?? '').toLowerCase()];
  return {
    key,
    count: 1,
    fields: {
      ...incident,
      key,
      assigned: assigneeName(incident.assigned),
      created_local: formatInZone(created, config.time_zone, String(incident.created)),
      link: incidentLink(config, incident),
      age: Number.isNaN(created) ? '' : formatDuration(Math.max(0, now - created)),
      events: events.map((e) => ({ ...e, date_local: formatInZone(parseCreated(e.date), config.time_zone, String(e.date ?? '')) })),
      events_text: events.length ? eventLines(events, config.time_zone) : '(no events)',
      confirm: `alertcron maxpatrol confirm ${key}`,
      close: `alertcron maxpatrol close ${key}`,
    },
    samples: [],
    ...(Number.isNaN(created) ? {} : { createdAt: created }),
    ...(severity !== undefined ? { severity } : {}),
    text: [incident.name, incident.category, incident.type, ...events.map((e) => e.description)].filter((t): t is string => typeof t === 'string'),
  };
}
