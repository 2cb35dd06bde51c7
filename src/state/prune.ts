import type { StateData } from './types.js';

/** Forgets keys not seen for `maxAgeMs` (unless a delivery for them is pending) and alerts that no longer run. */
export function pruneState(data: StateData, now: number, maxAgeMs: number): void {
  const pendingKeys = new Set(data.pending.map((p) => `${p.alert}\u0000${p.key}`));
  for (const [name, alert] of Object.entries(data.alerts)) {
    for (const [key, state] of Object.entries(alert.keys)) {
      if (now - state.lastSeen > maxAgeMs && !pendingKeys.has(`${name}\u0000${key}`)) delete alert.keys[key];
    }
    const lastActive = alert.lastRunAt ?? alert.window?.to;
    if (lastActive !== undefined && now - lastActive > maxAgeMs && Object.keys(alert.keys).length === 0) delete data.alerts[name];
  }
}
