import { randomBytes } from 'node:crypto';
import type { Silence, StateData } from '../model/state.js';
import { isFiring } from '../policy/decide.js';
import { isActive } from '../policy/silences.js';
import type { OperationRequest, OperationResult } from '../model/operation.js';
import { plainMap } from '../util/plainMap.js';
import { MAX_DURATION, MAX_DURATION_MS } from '../util/duration.js';

/** Describes a silence in one line. */
export function describeSilence(s: Silence, now: number): string {
  const what = s.key !== undefined ? `key ${JSON.stringify(s.key)}` : s.match ? `${s.match.field}=${JSON.stringify(s.match.value)}` : 'all keys';
  const state = isActive(s, now) ? `until ${new Date(s.endsAt).toISOString()}` : `ended ${new Date(s.endsAt).toISOString()}`;
  return `${s.id}  ${s.alert}  ${what}  ${state}  by ${s.author}: ${s.comment}`;
}

/** Acknowledges the firing keys of an alert (or one key): no repeats until it stops matching. */
export function acknowledge(data: StateData, alert: string, key: string | undefined, by: string, now: number): OperationResult {
  const keys = data.alerts[alert]?.keys ?? plainMap();
  const firing = Object.entries(keys).filter(([name, k]) => isFiring(k) && (key === undefined || name === key));
  if (!firing.length) {
    const what = key === undefined ? `alert ${alert} has no firing key` : `key ${JSON.stringify(key)} of alert ${alert} is not firing`;
    return { ok: false, message: `${what}: nothing to acknowledge (see alertcron status)` };
  }
  for (const [, k] of firing) k.acknowledged = { at: now, by };
  return { ok: true, message: `acknowledged ${alert}: ${firing.map(([name]) => JSON.stringify(name)).join(', ')} (until it stops matching)` };
}

/** Adds a silence (of an alert, one key, or the findings whose field has a value) and returns it. */
export function addSilence(data: StateData, spec: Omit<Silence, 'id' | 'createdAt' | 'endsAt'> & { forMs: number }, now: number): Silence {
  const { forMs, ...rest } = spec;
  const silence: Silence = { id: randomBytes(4).toString('hex'), ...rest, createdAt: now, endsAt: now + forMs };
  data.silences.push(silence);
  return silence;
}

/** Ends a silence now; undefined when there is no silence with that id. */
export function expireSilence(data: StateData, id: string, now: number): Silence | undefined {
  const silence = data.silences.find((s) => s.id === id);
  if (silence && isActive(silence, now)) silence.endsAt = now;
  return silence;
}

/** Marks a key as dealt with elsewhere in every alert that has it (e.g. promoted to a case): its queued notices are dropped. */
export function markHandled(data: StateData, key: string, how: string, by: string, now: number, alert?: string): string[] {
  const touched: string[] = [];
  for (const [name, state] of Object.entries(data.alerts)) {
    if (alert !== undefined && name !== alert) continue;
    const k = state.keys[key];
    if (!k) continue;
    k.handled = { at: now, by, how };
    touched.push(name);
  }
  return touched;
}

/** The refusal of a silence or ignore past the maximum duration (from chat, where the duration is not checked before). */
function tooLongHold(op: 'silence' | 'ignore'): OperationResult {
  return { ok: false, message: `${op} lasts at most ${MAX_DURATION}: ask again with a shorter duration, e.g. ${op} 7d` };
}

/** Applies one request that only changes the state (everything but promote, which calls a source first). */
export function applyToState(data: StateData, request: OperationRequest, now: number): OperationResult {
  switch (request.op) {
    case 'ack':
      return acknowledge(data, request.alert, request.key, request.by, now);
    case 'silence': {
      if (!(request.forMs <= MAX_DURATION_MS)) return tooLongHold('silence');
      const { op: _op, by, ...spec } = request;
      const silence = addSilence(data, { ...spec, author: by }, now);
      return { ok: true, message: `silenced: ${describeSilence(silence, now)}` };
    }
    case 'expire': {
      const ended = expireSilence(data, request.id, now);
      return ended ? { ok: true, message: `expired: ${describeSilence(ended, now)}` } : { ok: false, message: `no silence with id ${request.id} (see alertcron silence list --all)` };
    }
    case 'ignore': {
      if (!(request.forMs <= MAX_DURATION_MS)) return tooLongHold('ignore');
      const comment = request.comment ?? `${request.key} ignored`;
      const silence = addSilence(data, { alert: '*', key: request.key, comment, author: request.by, forMs: request.forMs }, now);
      return { ok: true, message: `ignoring: ${describeSilence(silence, now)}` };
    }
    case 'resolve': {
      const alerts = markHandled(data, request.key, request.how, request.by, now, request.alert);
      return { ok: true, message: alerts.length ? `${request.key} ${request.how} (${alerts.join(', ')})` : `${request.key} ${request.how}` };
    }
    case 'promote':
    case 'act':
      return { ok: false, message: `${request.op} needs its source: use operations.perform()` };
  }
}
