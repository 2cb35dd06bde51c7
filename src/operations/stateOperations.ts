import { randomBytes } from 'node:crypto';
import type { Silence, StateData } from '../model/state.js';
import { isFiring } from '../policy/decide.js';
import { isActive } from '../policy/silences.js';
import type { OperationRequest, OperationResult } from '../model/operation.js';
import { plainMap } from '../util/plainMap.js';
import { MAX_DURATION, MAX_DURATION_MS } from '../util/duration.js';
import { holdsAlert, type Ownership } from '../model/partition.js';
import { opPartitions, queueOp } from './queuedOps.js';

/**
 * Where an operation is applied: the partitions its transaction holds (absent: all of them, the file backend),
 * whether the transaction read the alerts it does not hold (a shell command reads everything; a run only its
 * own), and the id of the chat action it comes from (its queued op's id derives from it).
 */
export interface OpScope {
  ownership?: Ownership;
  readAll?: boolean;
  id?: string;
}

/** The words that tell a person their change waits for the host holding the alert. */
export function queuedWords(alert: string): string {
  return alert === '*' ? 'queued: applied by the hosts holding its alerts at their next run (within a minute)' : `queued: applied by the host holding alert ${alert} at its next run (within a minute)`;
}

/** Describes a silence in one line. */
export function describeSilence(s: Silence, now: number): string {
  const what = s.key !== undefined ? `key ${JSON.stringify(s.key)}` : s.match ? `${s.match.field}=${JSON.stringify(s.match.value)}` : 'all keys';
  const state = isActive(s, now) ? `until ${new Date(s.endsAt).toISOString()}` : `ended ${new Date(s.endsAt).toISOString()}`;
  return `${s.id}  ${s.alert}  ${what}  ${state}  by ${s.author}: ${s.comment}`;
}

/**
 * Acknowledges the firing keys of an alert (or one key): no repeats until it stops matching. An alert whose
 * partition the transaction does not hold (with the partitioned cluster store) gets a queued op instead, applied by
 * its holder's next run; a transaction that read the alert (a shell command) still refuses one with no firing key.
 */
export function acknowledge(data: StateData, alert: string, key: string | undefined, by: string, now: number, scope: OpScope = {}): OperationResult {
  const keys = data.alerts[alert]?.keys ?? plainMap();
  const firing = Object.entries(keys).filter(([name, k]) => isFiring(k) && (key === undefined || name === key));
  const held = holdsAlert(scope.ownership, alert) || !data.ops;
  if (!held && !scope.readAll) return queueAck(data, alert, key, by, now, scope);
  if (!firing.length) {
    const what = key === undefined ? `alert ${alert} has no firing key` : `key ${JSON.stringify(key)} of alert ${alert} is not firing`;
    return { ok: false, message: `${what}: nothing to acknowledge (see alertcron status)` };
  }
  if (!held) return queueAck(data, alert, key, by, now, scope);
  for (const [, k] of firing) k.acknowledged = { at: now, by };
  return { ok: true, message: `acknowledged ${alert}: ${firing.map(([name]) => JSON.stringify(name)).join(', ')} (until it stops matching)` };
}

/** Queues an ack for the host holding the alert, and says so. */
function queueAck(data: StateData, alert: string, key: string | undefined, by: string, now: number, scope: OpScope): OperationResult {
  queueOp(data, { op: 'ack', alert, ...(key !== undefined ? { key } : {}), by, ...(scope.id ? { id: scope.id } : {}) }, now, scope.ownership);
  const what = key === undefined ? 'its firing keys' : JSON.stringify(key);
  return { ok: true, message: `acknowledge ${alert} ${what} ${queuedWords(alert)}` };
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

/**
 * Marks a key as dealt with elsewhere in every alert that has it (e.g. promoted to a case): its queued notices are
 * dropped. With the partitioned cluster store, the alerts the transaction holds are marked now and an op is queued
 * for the partitions it does not hold (`queued` then says so).
 */
export function markHandled(data: StateData, key: string, how: string, by: string, now: number, alert?: string, scope: OpScope = {}): { touched: string[]; queued: boolean } {
  const touched: string[] = [];
  for (const [name, state] of Object.entries(data.alerts)) {
    if (alert !== undefined && name !== alert) continue;
    if (data.ops && !holdsAlert(scope.ownership, name)) continue;
    const k = state.keys[key];
    if (!k) continue;
    k.handled = { at: now, by, how };
    touched.push(name);
  }
  const ownership = scope.ownership;
  const queued = !!data.ops && !!ownership && opPartitions({ alert: alert ?? '*' }).some((p) => !ownership.partitions.has(p));
  if (queued) queueOp(data, { op: 'handled', alert: alert ?? '*', key, how, by, ...(scope.id ? { id: scope.id } : {}) }, now, ownership);
  return { touched, queued };
}

/** The refusal of a silence or ignore past the maximum duration (from chat, where the duration is not checked before). */
function tooLongHold(op: 'silence' | 'ignore'): OperationResult {
  return { ok: false, message: `${op} lasts at most ${MAX_DURATION}: ask again with a shorter duration, e.g. ${op} 7d` };
}

/** Applies one request that only changes the state (everything but promote, which calls a source first); `scope`: where (see OpScope). */
export function applyToState(data: StateData, request: OperationRequest, now: number, scope: OpScope = {}): OperationResult {
  switch (request.op) {
    case 'ack':
      return acknowledge(data, request.alert, request.key, request.by, now, scope);
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
      const { touched, queued } = markHandled(data, request.key, request.how, request.by, now, request.alert, scope);
      const where = [...(touched.length ? [touched.join(', ')] : []), ...(queued ? [queuedWords(request.alert ?? '*')] : [])];
      return { ok: true, message: where.length ? `${request.key} ${request.how} (${where.join('; ')})` : `${request.key} ${request.how}` };
    }
    case 'promote':
    case 'act':
      return { ok: false, message: `${request.op} needs its source: use operations.perform()` };
  }
}
