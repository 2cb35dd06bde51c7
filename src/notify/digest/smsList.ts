import type { DigestTable } from '../../model/digest.js';
import { oneLine } from '../../util/text.js';
import { fitSms, smsSize } from '../sms/segments.js';
import { digestCaption } from './caption.js';
import { compactDigest } from './compactList.js';

/** Most characters of one value in an SMS digest line. */
const CELL_CHARS = 40;

/**
 * A digest as an SMS: the title, the caption, then the most frequent rows (`count | cell | cell`: GSM-7 characters
 * only, so that the separators never force UCS-2) as long as the text fits `maxSegments`, and what is not listed.
 */
export function smsDigestText(title: string, table: DigestTable, maxSegments: number): string {
  const style = { separator: ' | ', cellChars: CELL_CHARS };
  const text = compactDigest([oneLine(title), digestCaption(table)], table, style, (candidate) => smsSize(candidate).segments <= maxSegments);
  return fitSms(text, maxSegments);
}
