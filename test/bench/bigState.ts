// A state that has grown: many keys remembered per alert (e.g. every user an alert ever grouped by), or a week of
// receipts of sent notices, written as the single state.json of alertcron's file store, as a long-running deployment
// of an older version would have it. The bench's priming run takes it as alertcron does any older state: whatever
// the file store keeps elsewhere now (keys in the key file, receipts wherever the store keeps them) is moved there by
// that run, so the measured runs see the current layout. This file is the one place that writes the old layout.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const DAY_MS = 86_400_000;

/** The state of `alerts` with `keys` keys spread evenly over them, all seen within the last day before `now`. */
function grownState(alerts: readonly string[], keys: number, now: number, channel: string) {
  const state = { version: 1, alerts: {} as Record<string, unknown>, pending: [], sent: [], silences: [], sources: {}, cursors: {} };
  const perAlert = Math.ceil(keys / Math.max(1, alerts.length));
  let made = 0;
  for (const [a, name] of alerts.entries()) {
    const stored: Record<string, unknown> = {};
    for (let k = 0; k < perAlert && made < keys; k++, made++) {
      const seen = now - 60_000 - ((a * perAlert + k) % 1440) * 60_000;
      stored[`u${String(k).padStart(5, '0')}-${a}`] = { firstSeen: seen - DAY_MS, lastSeen: seen, lastFired: seen, fired: 1 + (k % 5), delivered: { [channel]: seen }, lastTitle: `Failed logon burst: u${k}` };
    }
    state.alerts[name] = { window: { from: now - 120_000, to: now - 60_000 }, lastRunAt: now - 60_000, keys: stored };
  }
  return state;
}

/** Writes `file` holding `keys` keys spread evenly over the alerts, all seen within the last day before `now`; returns its size in bytes. */
export function writeGrownState(file: string, alerts: readonly string[], keys: number, now: number, channel: string): number {
  mkdirSync(dirname(file), { recursive: true });
  const text = JSON.stringify(grownState(alerts, keys, now, channel), null, 2);
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}

/** A hex string of `length` digits drawn from `seed` (a receipt's ids: unique, not random). */
const hex = (seed: number, length: number) => (seed * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(Math.ceil(length / 8)).slice(0, length);

/**
 * One receipt of about 370 bytes (the size the issue measured): notice `i` of the week, sent to an Alertmanager-like
 * channel whose receipt keeps the alert it opened (`detail`), accepted `ageMs` before `now`.
 */
export function receiptOf(i: number, alerts: readonly string[], now: number, ageMs: number, channel: string): Record<string, unknown> {
  const id = `${hex(i, 8)}-${hex(i + 1, 4)}-4${hex(i + 2, 3)}-8${hex(i + 3, 3)}-${String(i).padStart(12, '0')}`;
  const at = now - ageMs;
  return {
    id,
    alert: alerts[i % alerts.length],
    key: `u${String(i % 50_000).padStart(5, '0')}`,
    channel,
    reason: i % 7 === 0 ? 'repeat' : 'first',
    at,
    receipt: { id: `<${id}@alertcron.test.local>`, detail: { fingerprint: hex(i + 4, 16), startsAt: new Date(at).toISOString(), generatorURL: 'https://alertcron.test.local/alerts' } },
  };
}

/**
 * Writes `file` as an older alertcron left it after a week of sending: the alerts (no keys) and `receipts` receipts
 * in its `sent` list, spread evenly over the `keepMs` before `now` (prune_after: none is old enough to be forgotten by
 * the measured runs); streamed, so that a million receipts need no string of their size. Returns the bytes written.
 */
export function writeReceiptState(file: string, alerts: readonly string[], receipts: number, now: number, channel: string, keepMs = 7 * DAY_MS): number {
  mkdirSync(dirname(file), { recursive: true });
  const { sent: _none, ...state } = grownState(alerts, 0, now, channel);
  const head = JSON.stringify(state);
  const fd = openSync(file, 'w');
  let bytes = 0;
  const write = (text: string) => (bytes += writeSync(fd, text));
  try {
    write(`${head.slice(0, -1)},"sent":[`);
    // The oldest receipt an hour younger than keepMs, the newest a minute old.
    const span = Math.max(0, keepMs - 3_600_000 - 60_000);
    let chunk: string[] = [];
    for (let i = 0; i < receipts; i++) {
      chunk.push(JSON.stringify(receiptOf(i, alerts, now, 60_000 + (receipts > 1 ? Math.floor((span * (receipts - 1 - i)) / (receipts - 1)) : 0), channel)));
      if (chunk.length === 10_000 || i === receipts - 1) {
        write((i + 1 > chunk.length ? ',' : '') + chunk.join(','));
        chunk = [];
      }
    }
    write(']}');
  } finally {
    closeSync(fd);
  }
  return bytes;
}
