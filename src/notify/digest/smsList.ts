import type { DigestTable } from '../../model/digest.js';
import { oneLine } from '../../util/text.js';
import { fitSms, smsSize } from '../sms/segments.js';
import { digestCaption } from './caption.js';
import { compactDigest } from './compactList.js';

/** Most characters of one value in an SMS digest line. */
const CELL_CHARS = 40;

/**
 * A digest as an SMS: the title, the caption, then the most frequent rows (`count | cell | cell`, a cut cell ending
 * in "...": the separators and marks are GSM-7, so that only the values themselves can force UCS-2) as long as the text fits `maxSegments`, and what is not listed.
 */
export function smsDigestText(title: string, table: DigestTable, maxSegments: number): string {
  const style = { separator: ' | ', cellChars: CELL_CHARS, cutMark: '...' };
  const text = compactDigest([oneLine(title), digestCaption(table, style.cutMark)], table, style, (candidate) => smsSize(candidate).segments <= maxSegments);
  return fitSms(text, maxSegments);
}
