import { mergeReceipts } from '../model/receipt.js';
import type { AuditEntry } from '../model/audit.js';
import { targetOf, type PendingDelivery, type StateData } from '../model/state.js';
import { DeliveryBatch } from '../state/delivered.js';
import type { DeliveryOutcome } from './deliver.js';

/** What happened to one delivery in a run. */
export interface DeliveryReport {
  alert: string;
  key: string;
  /** The channel, or `source.action` for a source action. */
  channel: string;
  /** Why it was sent: first, repeat, tier-N, resolved ... */
  reason?: string;
  ok: boolean;
  attempts: number;
  error?: string;
  retryable?: boolean;
  /** Why it was dropped unsent: a silence, an ack, a promotion ... */
  muted?: string;
}

/** What recording a batch of outcomes produced: the reports and the audit lines. */
export interface Recorded {
  reports: DeliveryReport[];
  audit: AuditEntry[];
}

/**
 * Records what each channel accepted: accepted items leave the pending list, are stamped on their key and kept
 * with their receipt in `sent`; retryable failures stay pending (for the recipients that still need them, not
 * before a Retry-After); permanent failures and muted items are dropped (what some recipients got is kept as sent).
 */
export function recordDeliveries(data: StateData, outcomes: DeliveryOutcome[], now: number): Recorded {
  const recorded: Recorded = { reports: [], audit: [] };
  const byId = new Map(data.pending.map((item) => [item.id, item]));
  const drop = new Set<string>();
  const delivered = new DeliveryBatch(data);
  for (const outcome of outcomes) {
    const item = byId.get(outcome.id);
    if (!item) continue;
    const base = { alert: item.alert, key: item.key, channel: targetOf(item), reason: item.reason, attempts: outcome.attempts };
    item.attempts += outcome.attempts;
    if (outcome.ok) {
      delivered.mark({ id: item.id, at: now, ...(outcome.receipt ? { receipt: outcome.receipt } : {}) });
      recorded.audit.push({ event: 'delivered', ...base, id: item.id, ...(outcome.receipt?.id ? { receipt: outcome.receipt.id } : {}) });
      recorded.reports.push({ ...base, ok: true });
    } else if ('muted' in outcome) {
      drop.add(item.id);
      recorded.audit.push({ event: 'muted', ...base, why: outcome.muted });
      recorded.reports.push({ ...base, ok: true, muted: outcome.muted });
    } else {
      item.lastError = outcome.error;
      // Only the recipients that refused it still need it; and none of it before the time the other side asked for.
      if (outcome.to) item.to = outcome.to;
      // The chats that did get it keep their messages: replies there find the notice, and the final receipt lists them.
      if (outcome.partial) item.partial = mergeReceipts(item.partial, outcome.partial);
      if (outcome.retryAfterMs) item.notBefore = now + outcome.retryAfterMs;
      else delete item.notBefore;
      // Those that got it keep it as delivered (its receipt in `sent`, the key stamped): only the refusal is dropped.
      if (!outcome.retryable && (outcome.partial || item.partial)) delivered.mark({ id: item.id, at: now, ...(outcome.partial ? { receipt: outcome.partial } : {}) });
      if (!outcome.retryable) drop.add(item.id);
      recorded.audit.push({ event: 'delivery_failed', ...base, error: outcome.error, retryable: outcome.retryable, kept: outcome.retryable });
      recorded.reports.push({ ...base, ok: false, error: outcome.error, retryable: outcome.retryable });
    }
  }
  delivered.finish();
  if (drop.size) data.pending = data.pending.filter((item) => !drop.has(item.id));
  return recorded;
}

/** Drops pending items older than `maxAgeMs` instead of retrying them for ever; each is audited and reported. */
export function expirePending(data: StateData, now: number, maxAgeMs: number, mine: (item: PendingDelivery) => boolean = () => true): Recorded {
  const recorded: Recorded = { reports: [], audit: [] };
  data.pending = data.pending.filter((item) => {
    if (now - item.createdAt <= maxAgeMs || !mine(item)) return true;
    const error = `dropped after ${Math.round((now - item.createdAt) / 60_000)} minutes of failed attempts (max_pending_age); last error: ${item.lastError ?? 'none'}`;
    recorded.audit.push({ event: 'delivery_expired', alert: item.alert, key: item.key, channel: targetOf(item), attempts: item.attempts, error });
    recorded.reports.push({ alert: item.alert, key: item.key, channel: targetOf(item), ok: false, attempts: 0, error, retryable: false });
    return false;
  });
  return recorded;
}

