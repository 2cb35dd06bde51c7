import type { ActionResult } from '../types.js';
import type { MaxPatrolClient } from './client.js';
import { incidentFinding, incidentLink } from './findings.js';
import { findIncident, incidentEvents, incidentPath, readIncident } from './incidents.js';
import { oneLine } from '../../util/text.js';

/** What each action asks MaxPatrol for: the target status, and how the key is marked handled in alertcron. */
export const TRANSITIONS = {
  confirm: { status: 'Approved', handled: 'confirmed' },
  close: { status: 'Closed', handled: 'closed' },
} as const;

/** The name of an action that changes an incident's status. */
export type TransitionName = keyof typeof TRANSITIONS;

/**
 * The comment written with a status change: who did it, and where from. The name and comment come from chat users,
 * so each is flattened to one bounded line: a crafted name cannot add lines that pass for another person's words.
 */
export function transitionComment(name: TransitionName, by: string, comment?: string): string {
  const done = name === 'confirm' ? 'Confirmed' : 'Closed';
  const note = comment ? oneLine(comment, 500) : '';
  return `${done} by ${oneLine(by, 100) || 'someone'} via alertcron${note ? `: ${note}` : ''}`;
}

/**
 * Changes an incident's status (PUT /api/incidents/{id}/transitions, answered 204): confirm takes it to Approved,
 * close to Closed, each with a comment naming who did it. An incident already there is left as it is.
 */
export async function transition(client: MaxPatrolClient, name: TransitionName, keyOrId: string, by: string, comment?: string, signal?: AbortSignal): Promise<ActionResult> {
  const { status, handled } = TRANSITIONS[name];
  const incident = await findIncident(client, keyOrId, signal);
  const label = incident.key ?? incident.id;
  const link = incidentLink(client.config, incident);
  if (incident.status === status) return { message: `${label} is already ${status}: ${link}`, link, handled, labels: { status } };
  const body = { id: status, measures: '', message: transitionComment(name, by, comment) };
  await client.call('PUT', incidentPath(client, '/api/incidents', incident.id, '/transitions'), body, `the status change of ${label} to ${status}`, signal);
  return { message: `${label} ${handled} (${incident.status ?? '?'} -> ${status}) by ${by}: ${link}`, link, handled, labels: { status } };
}

/** Re-reads an incident (its current status, assignee ...) and its first `maxEvents` events, as a finding to show again. */
export async function refresh(client: MaxPatrolClient, keyOrId: string, maxEvents: number, now: number, signal?: AbortSignal): Promise<ActionResult> {
  const listed = await findIncident(client, keyOrId, signal);
  const incident = await readIncident(client, listed, signal);
  const events = await incidentEvents(client, incident, maxEvents, signal);
  const finding = incidentFinding(client.config, incident, events, now);
  const link = incidentLink(client.config, incident);
  const labels = { status: String(incident.status ?? '') };
  return { message: `${finding.key} is ${incident.status ?? '?'}, assigned to ${String(finding.fields.assigned) || 'nobody'}, ${events.length} event(s) shown: ${link}`, link, finding, labels };
}
