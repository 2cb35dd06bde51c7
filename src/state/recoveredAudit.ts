import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { targetOf } from '../model/state.js';
import { appendFileDurably } from '../util/durableFile.js';
import { redact } from '../util/redact.js';
import type { RecoveredDelivery } from './journal.js';

/** How much of the audit log's end is read to find the deliveries it already has (a kill leaves them near the end). */
const TAIL_BYTES = 4 * 1024 * 1024;

/**
 * Appends to the audit log one `delivered` line, marked `"recovered": true`, for each delivery a killed run had
 * journalled but never audited, synced before the state that absorbs the journal is written. A delivery whose id
 * the log's end already names (a recovery killed before the state was written, or a run that audited it but
 * could not record it) is not written again.
 */
export function auditRecovered(auditFile: string, recovered: readonly RecoveredDelivery[]): void {
  if (!recovered.length) return;
  const known = auditedIds(auditFile);
  const ts = new Date().toISOString();
  const lines = recovered
    .filter(({ item }) => !known.has(item.id))
    .map(({ item, entry }) => {
      const line = { ts, run: 'journal', event: 'delivered', alert: item.alert, key: item.key, channel: targetOf(item), reason: item.reason, id: item.id, at: new Date(entry.at).toISOString(), recovered: true, ...(entry.receipt?.id ? { receipt: entry.receipt.id } : {}) };
      return `${redact(JSON.stringify(line))}\n`;
    });
  if (!lines.length) return;
  mkdirSync(dirname(auditFile), { recursive: true });
  appendFileDurably(auditFile, lines.join(''));
}

/** The ids of the deliveries the audit log's last TAIL_BYTES record. */
function auditedIds(auditFile: string): Set<string> {
  const ids = new Set<string>();
  let fd: number;
  try {
    fd = openSync(auditFile, 'r');
  } catch {
    return ids;
  }
  try {
    const size = statSync(auditFile).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    for (const line of buffer.toString('utf8').split('\n')) {
      if (!line.includes('"delivered"')) continue;
      try {
        const entry = JSON.parse(line) as { event?: unknown; id?: unknown };
        if (entry.event === 'delivered' && typeof entry.id === 'string') ids.add(entry.id);
      } catch {
        // the first line, cut by the tail
      }
    }
  } finally {
    closeSync(fd);
  }
  return ids;
}
