import type { DigestRow, DigestTable } from '../../model/digest.js';
import { isPlainObject } from '../../util/plainMap.js';
import { redact } from '../../util/redact.js';

/** Most columns and rows a channel reads from a stored table (a damaged or hostile state cannot make a send huge). */
const MAX_COLUMNS = 50;
const MAX_ROWS = 10_000;

const count = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const time = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
/** A stored value as text, secrets redacted (as the title and message are when rendered): a log value may hold one. */
const text = (value: unknown): string => redact(typeof value === 'string' ? value : value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/**
 * A notice's digest table as a channel may render it, read defensively from the state: undefined when it is not a
 * table at all (the channel then sends the plain-text message, which says the same), else a copy whose cells are
 * text with secrets redacted and whose rows have exactly one cell per column.
 */
export function usableDigest(value: unknown): DigestTable | undefined {
  if (!isPlainObject(value)) return undefined;
  const { from, to, group, columns, rows, findings, omitted, attribution } = value as Record<string, unknown>;
  if (!time(from) || !time(to) || !Array.isArray(columns) || !Array.isArray(rows) || !count(findings) || !count(omitted)) return undefined;
  const names = columns.slice(0, MAX_COLUMNS).map(text);
  const kept: DigestRow[] = [];
  for (const row of rows.slice(0, MAX_ROWS)) {
    if (!isPlainObject(row) || !Array.isArray(row.cells) || !count(row.count)) return undefined;
    const cells = names.map((_, i) => text((row.cells as unknown[])[i]));
    kept.push({ cells, count: row.count, first: time(row.first) ? row.first : from, last: time(row.last) ? row.last : to });
  }
  return { from, to, ...(group !== undefined ? { group: text(group) } : {}), columns: names, rows: kept, findings, omitted, ...(typeof attribution === 'string' ? { attribution: text(attribution) } : {}) };
}
