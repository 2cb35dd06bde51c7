import type { DigestTable } from '../model/digest.js';
import { spokenDuration } from '../util/duration.js';
import { cutText, oneLine } from '../util/text.js';

/** Widest column of the plain-text table (longer cells are cut with an ellipsis; the state keeps more). */
const COLUMN_CHARS = 60;

/** "the last hour", "the last 10 minutes", "the last 1 day 2 hours": a period's length in words. */
function lastSpan(ms: number): string {
  const words = spokenDuration(ms);
  return `the last ${words.replace(/^1 (\w+)$/, '$1')}`;
}

/** A digest's title: "<alert>[ (<per value>)]: 37 findings in the last hour (12 keys)", one plain line. */
export function digestTitle(alert: string, table: DigestTable, keys: number, keysMore = false): string {
  const group = table.group !== undefined ? ` (${oneLine(table.group, 80)})` : '';
  const findings = `${table.findings} finding${table.findings === 1 ? '' : 's'}`;
  return `${alert}${group}: ${findings} in ${lastSpan(table.to - table.from)} (${keys}${keysMore ? '+' : ''} key${keys === 1 && !keysMore ? '' : 's'})`;
}

/**
 * A digest's summary as aligned plain text: a line saying the period, then the table (a count column and the
 * chosen fields, most frequent first), then what was counted but not listed. Cells are clean single lines.
 */
export function digestText(table: DigestTable): string {
  const period = `${table.findings} finding(s) from ${new Date(table.from).toISOString()} to ${new Date(table.to).toISOString()}${table.group !== undefined ? ` for ${oneLine(table.group, 200)}` : ''}.`;
  const head = ['count', ...table.columns.map((c) => oneLine(c, COLUMN_CHARS))];
  const body = table.rows.map((row) => [String(row.count), ...row.cells.map((c) => cutText(oneLine(c), COLUMN_CHARS))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  // The count is right-aligned, the values left-aligned; the last column carries no trailing spaces.
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padStart(widths[0]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = [period, '', line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (table.omitted) lines.push('', `${table.omitted} more finding(s) not listed: the table keeps ${table.rows.length} distinct row(s) (digest.max_rows).`);
  return lines.join('\n');
}
