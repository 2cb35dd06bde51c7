import type { Notification } from '../../types.js';
import { digestJson } from '../../digest/json.js';
import { usableDigest } from '../../digest/usable.js';
import { cleanText } from '../../../util/text.js';

/**
 * What the program reads on its stdin for one notice. json: one JSON object and a newline, {alert, key, reason,
 * title, message, labels, sent_at}, with `digest` (the table) on a digest and `opened` (what the program printed
 * for the key's notice that opened it) on a resolve; JSON keeps every log value data. text: the title, a blank
 * line and the message, with terminal escapes and invisible characters removed.
 */
export function stdinOf(notification: Notification, format: 'json' | 'text', now: number): string {
  if (format === 'text') return `${cleanText(notification.title)}\n\n${cleanText(notification.message)}\n`;
  const digest = usableDigest(notification.digest);
  const opened = notification.reason === 'resolved' ? notification.opened : undefined;
  return `${JSON.stringify({
    alert: notification.alert,
    key: notification.key,
    reason: notification.reason,
    title: notification.title,
    message: notification.message,
    labels: notification.labels ?? {},
    sent_at: new Date(now).toISOString(),
    ...(digest ? { digest: digestJson(digest) } : {}),
    ...(opened?.id !== undefined ? { opened: { id: opened.id } } : {}),
  })}\n`;
}
