import type { StateData } from '../model/state.js';
import { holdsAlert, type Ownership } from '../model/partition.js';
import { keyTableOf } from './keyTable.js';
import { pruneReceipts } from './receipts.js';

/**
 * Forgets keys not seen for `maxAgeMs` (unless a delivery for them is pending), the state of alerts that are no
 * longer defined and have been idle that long (a defined alert keeps its window however long it fails), and
 * silences that ended more than `maxAgeMs` ago (until then `silence list --all` shows them), and the receipts
 * of notices sent longer ago than that, and conversations closed that long ago (or their quiet period, if longer);
 * and sources' login tokens that have expired. With an ownership (hosts sharing the cluster state), only what this
 * transaction holds: the alerts and receipts of its partitions, the silences and conversations if it is the coordinator.
 */
export function pruneState(data: StateData, now: number, maxAgeMs: number, defined: ReadonlySet<string>, ownership?: Ownership): void {
  const held = (alert: string) => holdsAlert(ownership, alert);
  const coordinator = !ownership || ownership.coordinator;
  if (coordinator) data.silences = data.silences.filter((s) => now - s.endsAt <= maxAgeMs);
  pruneReceipts(data, now - maxAgeMs, held);
  // A closed conversation stays while it quiets its alert for the person, and prune_after for status.
  // An open conversation of an alert that no longer exists ends with it, once as old as prune_after.
  if (coordinator) {
    data.conversations = (data.conversations ?? []).filter((c) =>
      c.closedAt === undefined ? defined.has(c.alert) || now - c.createdAt <= maxAgeMs : now - c.closedAt <= Math.max(maxAgeMs, c.quietFor),
    );
  }
  for (const [source, token] of Object.entries(data.tokens ?? {})) if (!(token.expiresAt > now)) delete data.tokens![source];
  const pendingKeys = new Set(data.pending.map((p) => `${p.alert}\u0000${p.key}`));
  // for-in, and a key's check made only for an alert that has keys: this runs for every alert, every run.
  for (const name in data.alerts) {
    if (!held(name)) continue;
    const alert = data.alerts[name]!;
    // Keys the store has not parsed are as last written: none to forget until the oldest of them is old enough, and
    // then their lastSeen is read without their JSON.
    const table = keyTableOf(alert.keys);
    if (table) table.forget(now - maxAgeMs, (key) => pendingKeys.has(`${name}\u0000${key}`));
    else {
      for (const key in alert.keys) {
        if (now - alert.keys[key]!.lastSeen > maxAgeMs && !pendingKeys.has(`${name}\u0000${key}`)) delete alert.keys[key];
      }
    }
    if (defined.has(name)) continue;
    const lastActive = alert.lastRunAt ?? alert.window?.to;
    const idle = lastActive === undefined || now - lastActive > maxAgeMs;
    const keyCount = table ? table.count() : Object.keys(alert.keys).length;
    if (idle && keyCount === 0) delete data.alerts[name];
  }
}
