import type { DigestTable } from '../../model/digest.js';
import { cutText, oneLine } from '../../util/text.js';

/** Most characters of the `per` value a caption shows. */
const GROUP_CHARS = 100;

/** An epoch time as `2026-12-07 09:13` (UTC). */
function minute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** A digest's period in UTC, to the minute: `2026-12-07 09:13 to 10:13 UTC` (the date once when both ends share it). */
export function digestPeriod(table: Pick<DigestTable, 'from' | 'to'>): string {
  const from = minute(table.from);
  const to = minute(table.to);
  return `${from} to ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to} UTC`;
}

/** The line above a digest's table: how many findings, the period, the `per` value it is for (cut with `cutMark`), and a Sigma alert's attribution; one clean line. */
export function digestCaption(table: DigestTable, cutMark?: string): string {
  const group = table.group !== undefined ? ` for ${cutText(oneLine(table.group), GROUP_CHARS, cutMark) || '(empty)'}` : '';
  const credit = table.attribution ? `; ${oneLine(table.attribution)}` : '';
  return `${table.findings} finding${table.findings === 1 ? '' : 's'}${group}, ${digestPeriod(table)}${credit}`;
}

/**
 * What a channel leaves out of a digest, as one phrase: rows it had no room for, and findings the table itself did
 * not list (beyond max_rows); empty when nothing is left out.
 */
export function notListed(table: Pick<DigestTable, 'omitted'>, rowsCut = 0): string {
  const parts = [
    ...(rowsCut > 0 ? [`${rowsCut} more row${rowsCut === 1 ? '' : 's'}`] : []),
    ...(table.omitted > 0 ? [`${table.omitted} more finding${table.omitted === 1 ? '' : 's'}`] : []),
  ];
  return parts.length ? `${parts.join(' and ')} not listed` : '';
}

/**
 * The largest number of rows (0 to `total`) for which `fits` holds, by bisection: `fits(k)` renders the first k rows
 * with the "not listed" tail for the rest and says whether that fits the channel's limit.
 */
export function mostRowsThatFit(total: number, fits: (shown: number) => boolean): number {
  let low = 0;
  let high = total;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
