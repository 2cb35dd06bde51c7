import type { DigestTable } from '../../model/digest.js';
import { oneLine } from '../../util/text.js';
import { notListed } from './caption.js';

/** Rows a call reads out. */
const SPOKEN_ROWS = 3;
/** Most characters of one value read out. */
const CELL_CHARS = 60;

/**
 * What a call says about a digest (plain text; the TwiML builder escapes it): how many findings, the most frequent
 * rows with their counts, and how many rows and findings it does not read.
 */
export function spokenDigest(table: DigestTable): string {
  const top = table.rows.slice(0, SPOKEN_ROWS).map((row) => `${row.count} time${row.count === 1 ? '' : 's'} ${row.cells.map((cell) => oneLine(cell, CELL_CHARS) || 'empty').join(', ')}`);
  const more = notListed(table, table.rows.length - top.length);
  return [`${table.findings} finding${table.findings === 1 ? '' : 's'}.`, top.length ? `Most frequent: ${top.join('; ')}.` : '', more ? `${more}.` : ''].filter(Boolean).join(' ');
}
