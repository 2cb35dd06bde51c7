// A state that has grown: many keys remembered per alert (e.g. every user an alert ever grouped by), written as
// the single state.json of alertcron's file store, as a long-running deployment would have it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `file` holding `keys` keys spread evenly over the alerts, all seen within the last day before `now`; returns its size in bytes. */
export function writeGrownState(file: string, alerts: readonly string[], keys: number, now: number, channel: string): number {
  const state = { version: 1, alerts: {} as Record<string, unknown>, pending: [], sent: [], silences: [], sources: {}, cursors: {} };
  const perAlert = Math.ceil(keys / Math.max(1, alerts.length));
  let made = 0;
  for (const [a, name] of alerts.entries()) {
    const stored: Record<string, unknown> = {};
    for (let k = 0; k < perAlert && made < keys; k++, made++) {
      const seen = now - 60_000 - ((a * perAlert + k) % 1440) * 60_000;
      stored[`u${String(k).padStart(5, '0')}-${a}`] = { firstSeen: seen - 86_400_000, lastSeen: seen, lastFired: seen, fired: 1 + (k % 5), delivered: { [channel]: seen }, lastTitle: `Failed logon burst: u${k}` };
    }
    state.alerts[name] = { window: { from: now - 120_000, to: now - 60_000 }, lastRunAt: now - 60_000, keys: stored };
  }
  mkdirSync(dirname(file), { recursive: true });
  const text = JSON.stringify(state, null, 2);
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}
