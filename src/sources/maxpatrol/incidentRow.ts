import { quoted, serverTime } from '../../util/serverValues.js';
import { isSafeSegment } from '../../util/pathSegment.js';
import type { Incident } from './types.js';

/** Parses MaxPatrol's creation time (ISO UTC, up to 7 fractional digits) into epoch ms; NaN when it is not one (or is before 1970). */
export function parseCreated(created: unknown): number {
  if (typeof created !== 'string') return NaN;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(created.trim());
  if (!m) return NaN;
  return serverTime(Date.parse(`${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3] ?? 'Z'}`)) ?? NaN;
}

/** Whether an incident id may be put in a URL path as it is (a UUID always may). */
export const isSafeId = isSafeSegment;

/** Why a row of the incident list is set aside (not an object, an id that is not a safe path segment, a creation time that is not one); undefined when it is usable. */
export function rowProblem(row: unknown): string | undefined {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return `a row that is not an incident (${quoted(row)})`;
  const incident = row as Incident;
  const name = typeof incident.key === 'string' ? `${quoted(incident.key)} ` : '';
  if (!isSafeId(incident.id)) return `incident ${name}with id ${quoted(incident.id)}, which is not a safe path segment`;
  if (Number.isNaN(parseCreated(incident.created))) return `incident ${name}(${incident.id}) with created ${quoted(incident.created)}, which is not a time`;
  return undefined;
}
