import { createHash } from 'node:crypto';
import type { Notification } from '../../types.js';

/**
 * The sourceRef of the TheHive alert a notice creates: `alertcron-` and 20 hex digits of a SHA-256 over the alert's
 * name, the key, the notice's reason and the window (a digest's period). The same notice sent again (a retry, a
 * replay after a kill) gets the same sourceRef, which TheHive refuses as a duplicate; the next window's notice, or
 * another reason in the same run (an escalation tier queued with the first notice), gets a new one. A notice with no
 * window (`channel test`) hashes its title and message instead.
 */
export function hiveSourceRef(notification: Pick<Notification, 'alert' | 'key' | 'reason' | 'window' | 'title' | 'message'>): string {
  const when = notification.window ? [notification.window.from, notification.window.to] : ['-', notification.title, notification.message];
  const digest = createHash('sha256').update(JSON.stringify([notification.alert, notification.key, notification.reason, ...when])).digest('hex');
  return `alertcron-${digest.slice(0, 20)}`;
}
