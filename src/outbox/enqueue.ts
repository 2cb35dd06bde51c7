import { randomBytes, randomUUID } from 'node:crypto';
import type { NoticeAction } from '../model/operation.js';
import type { PendingAction, PendingDelivery, StateData } from '../model/state.js';
import type { Notification } from '../notify/types.js';
import { plainMap } from '../util/plainMap.js';

/** What a notice is, before it is addressed: who it is about, why, and the rendered text. */
export interface NoticeSpec extends Notification {
  /** The finding's fields, from which a few labels are kept for `--match` silences at send time. */
  fields?: Record<string, unknown>;
  /** The labels of `fields` when the caller computed them already (findingLabels): not walked again. */
  fieldLabels?: Record<string, string>;
  /** The chat actions the notice offers (its alert's source's, for this finding); they get a short reference. */
  actions?: NoticeAction[];
}

/** Random bytes drawn at once for many references (one call into the random source per 256 notices, not per notice). */
const REF_BYTES = 6;
let refPool = Buffer.alloc(0);
let refAt = 0;

/** A short opaque reference for a notice's chat actions: 8 characters of [A-Za-z0-9_-], never alert data. */
export function newRef(): string {
  if (refAt + REF_BYTES > refPool.length) {
    refPool = randomBytes(REF_BYTES * 256);
    refAt = 0;
  }
  refAt += REF_BYTES;
  return refPool.toString('base64url', refAt - REF_BYTES, refAt);
}

/** Most bytes of labels kept per pending notice, and longest value: every field of a usual event, bounded in the state. */
const MAX_LABEL_BYTES = 16_384;
const MAX_LABEL_CHARS = 256;
const MAX_DEPTH = 8;

/** Longest value, most elements of a list and most characters of values kept whole for channels beside the labels. */
const MAX_VALUE_CHARS = 8_192;
const MAX_LIST_ITEMS = 100;
const MAX_VALUE_BYTES = 16_384;

/** The one place pending deliveries are built: one per channel for a notice, with a fresh id. */
export function enqueue(spec: NoticeSpec, channels: readonly string[], now: number): PendingDelivery[] {
  const labels = spec.fields ? (spec.fieldLabels ?? labelsOf(spec.fields)) : undefined;
  const values = spec.fields && labels ? valuesOf(spec.fields, labels) : undefined;
  const actions = spec.actions?.length ? spec.actions : undefined;
  return channels.map((channel) => ({
    id: randomUUID(),
    alert: spec.alert,
    key: spec.key,
    channel,
    reason: spec.reason,
    title: spec.title,
    message: spec.message,
    createdAt: now,
    attempts: 0,
    ...(spec.to ? { to: spec.to } : {}),
    ...(labels && Object.keys(labels).length ? { labels } : {}),
    ...(values && Object.keys(values).length ? { values } : {}),
    ...(actions ? { actions, ref: newRef() } : {}),
    ...(spec.window ? { window: { from: spec.window.from, to: spec.window.to } } : {}),
    ...(spec.digest ? { digest: spec.digest } : {}),
  }));
}

/** The labels of a finding's fields (as queued notices keep them), for a source's chatActions.appliesTo. */
export function findingLabels(fields: Record<string, unknown> | undefined): Record<string, string> {
  return fields ? labelsOf(fields) : plainMap();
}

/** A source action queued like a delivery (retried, expired and audited the same way). */
export function enqueueAction(alert: string, key: string, action: PendingAction, now: number): PendingDelivery {
  return { id: randomUUID(), alert, key, action, reason: `${action.source}.${action.name}`, title: '', message: '', createdAt: now, attempts: 0 };
}

/** The scalar fields of a finding as dotted paths, for silences that match a field's value. */
function labelsOf(fields: Record<string, unknown>): Record<string, string> {
  const labels = plainMap<string>();
  let bytes = 0;
  const walk = (value: unknown, path: string, depth: number) => {
    if (value === null || value === undefined || bytes >= MAX_LABEL_BYTES) return;
    if (typeof value === 'object') {
      if (Array.isArray(value) || depth > MAX_DEPTH) return;
      for (const [name, child] of Object.entries(value as Record<string, unknown>)) walk(child, path ? `${path}.${name}` : name, depth + 1);
      return;
    }
    const text = String(value);
    if (text.length > MAX_LABEL_CHARS || bytes + path.length + text.length > MAX_LABEL_BYTES) return;
    labels[path] = text;
    bytes += path.length + text.length;
  };
  walk(fields, '', 0);
  return labels;
}

/**
 * The fields of a finding that its labels leave out, kept whole for channels that map fields (TheHive observables):
 * a scalar over the labels' 256 characters (or beyond their budget) up to 8,192 characters, and a list of scalars
 * as its first 100 elements of at most 8,192 characters each; 16 KB in all. A longer value is left out, never cut
 * (a cut URL would be a false indicator). Silences never read these: `--match` sees the labels only.
 */
function valuesOf(fields: Record<string, unknown>, labels: Record<string, string>): Record<string, string | string[]> {
  const values = plainMap<string | string[]>();
  let bytes = 0;
  const fits = (path: string, size: number) => bytes + path.length + size <= MAX_VALUE_BYTES;
  const walk = (value: unknown, path: string, depth: number) => {
    if (value === null || value === undefined || bytes >= MAX_VALUE_BYTES) return;
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_LIST_ITEMS).filter((item) => item !== null && item !== undefined && typeof item !== 'object').map(String).filter((item) => item.length <= MAX_VALUE_CHARS);
      const size = items.reduce((sum, item) => sum + item.length, 0);
      if (path && items.length && fits(path, size)) {
        values[path] = items;
        bytes += path.length + size;
      }
      return;
    }
    if (typeof value === 'object') {
      if (depth > MAX_DEPTH) return;
      for (const [name, child] of Object.entries(value as Record<string, unknown>)) walk(child, path ? `${path}.${name}` : name, depth + 1);
      return;
    }
    if (Object.hasOwn(labels, path)) return;
    const text = String(value);
    if (text.length > MAX_VALUE_CHARS || !fits(path, text.length)) return;
    values[path] = text;
    bytes += path.length + text.length;
  };
  walk(fields, '', 0);
  return values;
}

/**
 * Adds a notice to the pending list of `data`. A notice that is not a resolve (nor a digest, which is no key's) first
 * takes out the resolved notices of the same alert and key for the same channel still pending (a retry sent beside it
 * could close the incident it reopens), and marks the channel as told in the key's new episode at `now`: the channel
 * still owes a close, so the next resolve of the key goes to it even if this notice is never accepted (muted, given
 * up). Returns the notices taken out.
 */
export function queueNotice(data: StateData, item: PendingDelivery, now: number): PendingDelivery[] {
  return noticeQueue(data)(item, now);
}

/**
 * queueNotice for many notices: the pending resolves of `data` are indexed once by alert, key and channel, so that
 * each notice queued costs O(1) (a resolve taken out, rare, is found by its position). Only the returned function may
 * change `data.pending` while it is in use.
 */
export function noticeQueue(data: StateData): (item: PendingDelivery, now: number) => PendingDelivery[] {
  const resolves = new Map<string, PendingDelivery[]>();
  const index = (p: PendingDelivery) => {
    if (p.reason !== 'resolved' || p.action || p.channel === undefined) return;
    const target = resolveTarget(p);
    const list = resolves.get(target);
    if (list) list.push(p);
    else resolves.set(target, [p]);
  };
  for (const p of data.pending) index(p);
  return (item, now) => {
    let dropped: PendingDelivery[] = [];
    if (!item.action && item.channel !== undefined && item.reason !== 'resolved' && item.reason !== 'digest') {
      const target = resolveTarget(item);
      dropped = resolves.get(target) ?? [];
      resolves.delete(target);
      for (const stale of dropped) data.pending.splice(data.pending.indexOf(stale), 1);
      const key = dropped.length ? data.alerts[item.alert]?.keys[item.key] : undefined;
      if (key) key.delivered[item.channel] = Math.max(key.delivered[item.channel] ?? 0, now);
    }
    data.pending.push(item);
    index(item);
    return dropped;
  };
}

/** The alert, key and channel of a notice, as one Map key. */
function resolveTarget(p: PendingDelivery): string {
  return `${p.alert}\u0000${p.key}\u0000${p.channel}`;
}
