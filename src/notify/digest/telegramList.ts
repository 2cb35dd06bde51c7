import type { DigestTable } from '../../model/digest.js';
import { cutText, oneLine } from '../../util/text.js';
import { inertForChat } from '../text.js';
import { digestCaption } from './caption.js';
import { compactDigest } from './compactList.js';

/** Most characters of one value in a Telegram digest line. */
const CELL_CHARS = 200;

/**
 * A digest as a Telegram message's body (plain text, made inert, to be escaped for the parse mode): the caption, the
 * column names, one line per row (`count · cell · cell`), and what is not listed, within `room` visible characters.
 */
export function telegramDigestText(table: DigestTable, room: number): string {
  const style = { separator: ' · ', cellChars: CELL_CHARS, inert: inertForChat };
  const header = ['count', ...table.columns.map((column) => cutText(oneLine(column), CELL_CHARS))].join(style.separator);
  const first = [digestCaption(table), header].map(inertForChat);
  return cutText(compactDigest(first, table, style, (text) => text.length <= room), room);
}
