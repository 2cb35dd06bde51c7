import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '../model/audit.js';
import { PARTITIONS, partitionOf, type AlertOp, type Ownership } from '../model/partition.js';
import type { KeyState, StateData } from '../model/state.js';
import { isFiring } from '../policy/decide.js';
import { applyChatChanges } from '../notify/telegramChatChanges.js';

/** How long a queued operation is kept at most: a partition nobody held for a day no longer gets it. */
export const OP_KEPT_MS = 86_400_000;

/** The partitions an operation concerns: its alert's, or every partition for `*` (a key handled in every alert). */
export function opPartitions(op: Pick<AlertOp, 'alert'>): number[] {
  return op.alert === '*' ? Array.from({ length: PARTITIONS }, (_, p) => p) : [partitionOf(op.alert)];
}

/**
 * Queues a change to alerts' keys for the hosts holding their partitions (a document `op:<id>` with the partitioned
 * cluster store); a no-op when `data.ops` is undefined (the file backend applies everything at once). The
 * partitions `ownership` holds count as done (the caller applied the change there itself). An `id` may be given
 * (derived from a chat action's id, so that a replay queues nothing twice); an op with that id already queued is
 * kept as it is. Returns the op queued (or found), or undefined.
 */
export function queueOp(data: StateData, op: Omit<AlertOp, 'id' | 'at'> & { id?: string }, now: number, ownership?: Ownership): AlertOp | undefined {
  if (!data.ops) return undefined;
  const id = op.id ?? randomBytes(6).toString('hex');
  const existing = data.ops.find((o) => o.id === id);
  if (existing) return existing;
  const held = ownership ? opPartitions(op).filter((p) => ownership.partitions.has(p)) : [];
  const doneIn = [...new Set([...(op.doneIn ?? []), ...held])].sort((a, b) => a - b);
  const queued: AlertOp = { ...op, id, at: now, ...(doneIn.length ? { doneIn } : {}) };
  if (!doneIn.length) delete queued.doneIn;
  data.ops.push(queued);
  return queued;
}

/**
 * Why a queued operation must not touch a key, or undefined when it may: it is meant for the firing the person saw,
 * so a key that resolved at or after the operation's time (its next firing is a new occurrence nobody acknowledged),
 * or that first appeared after it, is left alone; an ack needs the key firing.
 */
export function staleFor(op: Pick<AlertOp, 'op' | 'at'>, key: KeyState): string | undefined {
  if (key.firstSeen > op.at) return `the key first appeared after the ${op.op} was given`;
  if (key.resolvedAt !== undefined && key.resolvedAt >= op.at) return `the key resolved after the ${op.op} was given (its next firing notifies as usual)`;
  if (op.op === 'ack' && !isFiring(key)) return 'the key is no longer firing';
  return undefined;
}

/** Applies one operation to one alert's keys (the key it names, or for an ack without a key every firing key); the keys touched and those left alone with why. */
function applyToAlert(data: StateData, op: AlertOp, alert: string): { touched: string[]; skipped: { key: string; why: string }[] } {
  const touched: string[] = [];
  const skipped: { key: string; why: string }[] = [];
  const keys = data.alerts[alert]?.keys;
  // An op for every alert (`*`) concerns only those that have the key: the others are left alone, silently.
  const missing = op.key !== undefined && op.alert !== '*' ? [{ key: op.key, why: 'the alert has no such key' }] : [];
  if (!keys || (op.key !== undefined && !keys[op.key])) return { touched, skipped: missing };
  const names = op.key !== undefined ? [op.key] : Object.keys(keys).filter((k) => isFiring(keys[k]!));
  for (const name of names) {
    const key = keys[name]!;
    const why = staleFor(op, key);
    if (why) {
      skipped.push({ key: name, why });
      continue;
    }
    if (op.op === 'ack') key.acknowledged = { at: op.at, by: op.by };
    else key.handled = { at: op.at, by: op.by, how: op.how ?? 'handled' };
    touched.push(name);
  }
  return { touched, skipped };
}

/**
 * Applies the queued operations to the partitions `ownership` holds that each has not been applied in yet, and
 * records those partitions in the operation's `doneIn` (the store keeps them in the partition's lease document, so
 * an operation is applied at most once per partition whatever the order of runs and hosts). One queued more than
 * OP_KEPT_MS before `now` is only recorded. Queued chat allow-list changes are applied first (applyChatChanges).
 * Pure but for `data`; returns the audit lines (op_applied, op_skipped, chat_allow_list).
 */
export function applyQueuedOps(data: StateData, ownership: Ownership, now: number): AuditEntry[] {
  // Chat allow-list changes queued by deliveries: seen by every host's run, written (and dequeued) by the coordinator.
  const audit: AuditEntry[] = applyChatChanges(data, ownership.coordinator);
  if (!data.ops?.length) return audit;
  const alerts = Object.keys(data.alerts);
  for (const op of data.ops) {
    // An op document of another shape (hand-edited, a newer version's) is left alone, never half applied.
    if (!isAlertOp(op)) continue;
    const due = opPartitions(op).filter((p) => ownership.partitions.has(p) && !op.doneIn?.includes(p));
    if (!due.length) continue;
    const dueSet = new Set(due);
    // An operation queued more than OP_KEPT_MS ago is about a firing long gone: recorded as done, not applied.
    const expired = now - op.at > OP_KEPT_MS;
    if (expired) audit.push({ event: 'op_skipped', op: op.op, id: op.id, alert: op.alert, by: op.by, queuedAt: new Date(op.at).toISOString(), why: 'queued more than a day ago' });
    const targets = expired ? [] : op.alert === '*' ? alerts.filter((a) => dueSet.has(partitionOf(a))) : [op.alert];
    for (const alert of targets) {
      const { touched, skipped } = applyToAlert(data, op, alert);
      const base = { op: op.op, id: op.id, alert, by: op.by, queuedAt: new Date(op.at).toISOString() };
      if (touched.length) audit.push({ event: 'op_applied', ...base, keys: touched, ...(op.how ? { how: op.how } : {}) });
      for (const s of skipped) audit.push({ event: 'op_skipped', ...base, key: s.key, why: s.why });
    }
    op.doneIn = [...new Set([...(op.doneIn ?? []), ...due])].sort((a, b) => a - b);
  }
  return audit;
}

/** Whether a queued operation read from the store has the shape this version applies. */
function isAlertOp(value: unknown): value is AlertOp {
  const o = value as Partial<AlertOp> | null;
  return (o?.op === 'ack' || o?.op === 'handled') && typeof o.id === 'string' && typeof o.alert === 'string' && typeof o.by === 'string' && Number.isFinite(o.at) &&
    (o.key === undefined || typeof o.key === 'string') && (o.how === undefined || typeof o.how === 'string') && (o.doneIn === undefined || (Array.isArray(o.doneIn) && o.doneIn.every(Number.isInteger)));
}

/** Drops the queued operations applied in every partition they concern, or older than OP_KEPT_MS (the coordinator's chore; the store deletes their documents). */
export function pruneOps(data: StateData, now: number): number {
  if (!data.ops) return 0;
  const before = data.ops.length;
  data.ops = data.ops.filter((op) => isAlertOp(op) && now - op.at <= OP_KEPT_MS && !opPartitions(op).every((p) => op.doneIn?.includes(p)));
  return before - data.ops.length;
}
