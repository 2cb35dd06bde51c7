// GSM 03.38: the basic character set (one septet each) and the extension table (two septets each).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** How an SMS text is encoded and how many segments it takes. */
export interface SmsSize {
  encoding: 'GSM-7' | 'UCS-2';
  units: number;
  segments: number;
}

/** Measures a text as an SMS: GSM-7 (160 per message, 153 per segment) unless a character forces UCS-2 (70 / 67). */
export function smsSize(text: string): SmsSize {
  let septets = 0;
  for (const char of text) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else return ucs2Size(text);
  }
  return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

function ucs2Size(text: string): SmsSize {
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/**
 * Cuts a text so that it fits in `maxSegments` SMS segments, ending a cut text with "..."; a `tail` line (an
 * attribution) is kept whole after it when it fits at all, the text being cut to leave it room.
 */
export function fitSms(text: string, maxSegments: number, tail = ''): string {
  const end = tail ? `\n${tail}` : '';
  if (smsSize(text + end).segments <= maxSegments) return text + end;
  if (end && smsSize(`...${end}`).segments > maxSegments) return fitSms(text + end, maxSegments);
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (smsSize(chars.slice(0, mid).join('').trimEnd() + '...' + end).segments <= maxSegments) low = mid;
    else high = mid - 1;
  }
  return chars.slice(0, low).join('').trimEnd() + '...' + end;
}
