import { incidentId } from './incidentId.js';
import type { Notification } from './types.js';

/** What incidentId gives: `alertcron-` and 40 hex characters. */
const INCIDENT_ID = /^alertcron-[0-9a-f]{40}$/;

/**
 * The id of what a notice opens or closes on a paging channel: incidentId(alert, key) for every notice of a key, so
 * repeats and escalation tiers join what its first notice opened and its resolve closes it (a resolve takes the id
 * its channel's receipt kept, where the state still has one that is an incident id); a digest and a test notice get
 * their own, per period (the same again for a retry of the same notice), since nothing resolves them.
 */
export function noticeIncidentId(notification: Notification): string {
  if (notification.reason === 'resolved' && notification.opened?.id && INCIDENT_ID.test(notification.opened.id)) return notification.opened.id;
  if (notification.reason === 'digest' || notification.reason === 'test') {
    const period = notification.window ? `${notification.window.from}-${notification.window.to}` : `${notification.title}\n${notification.message}`;
    return incidentId(notification.alert, `${notification.key}\n${notification.reason}\n${period}`);
  }
  return incidentId(notification.alert, notification.key);
}
