import type { Notification } from '../../types.js';
import { digestJson } from '../../digest/json.js';
import { usableDigest } from '../../digest/usable.js';
import { redact } from '../../../util/redact.js';
import { oneLine, quoted } from '../../../util/text.js';

/** Most characters of a notice's title that a text line and the notice_logged audit record keep (a JSON line keeps it whole). */
export const TITLE_MAX = 500;
/** Most characters of a notice's message that a text line and the notice_logged audit record keep (a JSON line keeps it whole). */
export const MESSAGE_MAX = 4000;

/**
 * A notice as one line of text (no line break inside): `alertcron notice <alert> "<key>" <reason>: <title> - <message>`;
 * the key in JSON quotes, the title and message cleaned (terminal escapes and invisible characters out, every line
 * break and run of white space one space), cut, and secrets redacted: no log value can start a line of its own.
 */
export function textLine(notification: Notification): string {
  const title = oneLine(redact(notification.title), TITLE_MAX);
  const message = oneLine(redact(notification.message), MESSAGE_MAX);
  return `alertcron notice ${oneLine(notification.alert, 200)} ${quoted(redact(notification.key), 200)} ${oneLine(notification.reason, 40)}: ${title} - ${message}`;
}

/**
 * A notice as one JSON object on one line: every value whole, secrets redacted, and every character that a terminal or
 * a log reader may act on (controls, line and paragraph separators, bidirectional and other format characters)
 * written as a \u escape, so the line stays one line of inert text and parses back to the same values.
 */
export function jsonLine(notification: Notification, now: number): string {
  const digest = usableDigest(notification.digest);
  const labels = Object.fromEntries(Object.entries(notification.labels ?? {}).map(([field, value]) => [field, redact(value)]));
  const text = JSON.stringify({
    alertcron: 'notice',
    alert: notification.alert,
    key: redact(notification.key),
    reason: notification.reason,
    title: redact(notification.title),
    message: redact(notification.message),
    labels,
    sent_at: new Date(now).toISOString(),
    ...(digest ? { digest: digestJson(digest) } : {}),
  });
  return text.replace(/[\u007f-\u009f\u2028\u2029\p{Cf}]/gu, escapeUnits);
}

/** A character as JSON \u escapes, one per UTF-16 unit (a pair for one beyond the BMP). */
function escapeUnits(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
