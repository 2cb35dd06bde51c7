import type { DigestRow, DigestTable } from '../../model/digest.js';
import { cutText, oneLine } from '../../util/text.js';
import { mostRowsThatFit, notListed } from './caption.js';

/** How a channel writes a compact digest: the text between cells, the longest cell, and what it does to each cell. */
export interface CompactStyle {
  separator: string;
  cellChars: number;
  /** What marks a cut cell (default an ellipsis; SMS uses "..." to stay in GSM-7). */
  cutMark?: string;
  /** Makes one clean, cut cell inert for the channel (e.g. breaks auto-links); the identity by default. */
  inert?: (cell: string) => string;
}

/** One row as one line: its count, then its cells, each one clean line cut to the style's length, joined by its separator. */
export function compactRow(row: DigestRow, style: CompactStyle): string {
  const inert = style.inert ?? ((cell: string) => cell);
  return [String(row.count), ...row.cells.map((cell) => inert(cutText(oneLine(cell), style.cellChars, style.cutMark)) || '-')].join(style.separator);
}

/**
 * A compact digest as lines of text: the lines given first (title, caption), then as many rows as `fits` allows,
 * then what is not listed. When not even one row fits, the text with none (the caller cuts it to its limit).
 */
export function compactDigest(first: readonly string[], table: DigestTable, style: CompactStyle, fits: (text: string) => boolean): string {
  const rows = table.rows.map((row) => compactRow(row, style));
  const render = (shown: number) => [...first, ...rows.slice(0, shown), notListed(table, rows.length - shown)].filter(Boolean).join('\n');
  return render(mostRowsThatFit(rows.length, (shown) => fits(render(shown))));
}
