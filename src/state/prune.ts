import type { StateData } from '../model/state.js';

/**
 * Forgets keys not seen for `maxAgeMs` (unless a delivery for them is pending), the state of alerts that are no
 * longer defined and have been idle that long (a defined alert keeps its window however long it fails), and
 * silences that ended more than `maxAgeMs` ago (until then `silence list --all` shows them), and the receipts
 * of notices sent longer ago than that; and sources' login tokens that have expired.
 */
export function pruneState(data: StateData, now: number, maxAgeMs: number, defined: ReadonlySet<string>): void {
  data.silences = data.silences.filter((s) => now - s.endsAt <= maxAgeMs);
  data.sent = data.sent.filter((s) => now - s.at <= maxAgeMs);
  for (const [source, token] of Object.entries(data.tokens ?? {})) if (!(token.expiresAt > now)) delete data.tokens![source];
  const pendingKeys = new Set(data.pending.map((p) => `${p.alert}\u0000${p.key}`));
  for (const [name, alert] of Object.entries(data.alerts)) {
    for (const [key, state] of Object.entries(alert.keys)) {
      if (now - state.lastSeen > maxAgeMs && !pendingKeys.has(`${name}\u0000${key}`)) delete alert.keys[key];
    }
    const lastActive = alert.lastRunAt ?? alert.window?.to;
    const idle = lastActive === undefined || now - lastActive > maxAgeMs;
    if (!defined.has(name) && idle && Object.keys(alert.keys).length === 0) delete data.alerts[name];
  }
}
