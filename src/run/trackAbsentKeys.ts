import { randomUUID } from 'node:crypto';
import type { AlertDef } from '../config/types.js';
import type { AlertState, PendingDelivery } from '../state/types.js';

/**
 * Follows the notified keys that a successful run did not find. An acknowledged key that stops matching
 * loses its acknowledgement (so a new occurrence fires again); with `resolve_after: N`, a notified key
 * absent for N runs in a row gets one resolved notice on the alert's channels.
 */
export function trackAbsentKeys(alert: AlertDef, found: ReadonlySet<string>, state: AlertState, now: number): PendingDelivery[] {
  const deliveries: PendingDelivery[] = [];
  for (const [name, key] of Object.entries(state.keys)) {
    if (found.has(name)) continue;
    const resolvable = alert.resolve_after !== undefined && key.lastFired !== undefined;
    if (!resolvable && !key.acknowledged) continue;
    key.missedRuns = (key.missedRuns ?? 0) + 1;
    if (key.missedRuns < (alert.resolve_after ?? 1)) continue;
    if (resolvable) {
      const title = `Resolved: ${key.lastTitle ?? `${alert.name} ${name}`}`;
      const message = `${alert.name}: "${name}" has not matched for ${key.missedRuns} run(s); last seen ${new Date(key.lastSeen).toISOString()}.`;
      for (const channel of alert.notify) {
        deliveries.push({ id: randomUUID(), alert: alert.name, key: name, channel, reason: 'resolved', title, message, createdAt: now, attempts: 0 });
      }
    }
    delete key.lastFired;
    delete key.acknowledged;
    key.missedRuns = 0;
  }
  return deliveries;
}
