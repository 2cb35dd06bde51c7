import type { DeliveryOutcome } from '../notify/deliver.js';
import type { StateData } from '../state/types.js';
import type { AuditLog } from './audit.js';
import type { DeliveryReport } from './report.js';

/**
 * Records what each channel accepted: accepted deliveries leave the pending list and are stamped on
 * their key; retryable failures stay pending for the next run (for the recipients that still need them,
 * not before a Retry-After); permanent failures are dropped and audited.
 */
export function recordDeliveries(data: StateData, outcomes: DeliveryOutcome[], now: number, audit: AuditLog): DeliveryReport[] {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const reports: DeliveryReport[] = [];
  data.pending = data.pending.filter((item) => {
    const outcome = byId.get(item.id);
    if (!outcome) return true;
    const base = { alert: item.alert, key: item.key, channel: item.channel, reason: item.reason, attempts: outcome.attempts };
    item.attempts += outcome.attempts;
    if (outcome.ok) {
      const key = data.alerts[item.alert]?.keys[item.key];
      if (key) key.delivered[item.channel] = now;
      audit.add({ event: 'delivered', ...base });
      reports.push({ ...base, ok: true });
      return false;
    }
    item.lastError = outcome.error;
    // Only the recipients that refused it still need it; and none of it before the time the service asked for.
    if (outcome.to) item.to = outcome.to;
    if (outcome.retryAfterMs) item.notBefore = now + outcome.retryAfterMs;
    else delete item.notBefore;
    audit.add({ event: 'delivery_failed', ...base, error: outcome.error, retryable: outcome.retryable, kept: outcome.retryable });
    reports.push({ ...base, ok: false, error: outcome.error, retryable: outcome.retryable });
    return outcome.retryable;
  });
  return reports;
}

/** Drops pending deliveries older than `maxAgeMs` instead of retrying them for ever; each is audited and reported. */
export function expirePending(data: StateData, now: number, maxAgeMs: number, audit: AuditLog): DeliveryReport[] {
  const reports: DeliveryReport[] = [];
  data.pending = data.pending.filter((item) => {
    if (now - item.createdAt <= maxAgeMs) return true;
    const error = `dropped after ${Math.round((now - item.createdAt) / 60_000)} minutes of failed attempts (max_pending_age); last error: ${item.lastError ?? 'none'}`;
    audit.add({ event: 'delivery_expired', alert: item.alert, key: item.key, channel: item.channel, attempts: item.attempts, error });
    reports.push({ alert: item.alert, key: item.key, channel: item.channel, ok: false, attempts: 0, error, retryable: false });
    return false;
  });
  return reports;
}
