import type { Receipt } from '../model/receipt.js';
import type { PendingDelivery, SentNotice } from '../model/state.js';

/**
 * What a resolved notice closes on its channel: the receipt of the latest notice of the same alert and key that
 * channel accepted before the resolve was queued (not a resolve, not a digest), or undefined (none kept, or not a
 * resolve). Pure.
 */
export function openedReceipt(sent: readonly SentNotice[], item: Pick<PendingDelivery, 'alert' | 'key' | 'channel' | 'reason' | 'createdAt'>): Receipt | undefined {
  if (item.reason !== 'resolved' || !item.channel) return undefined;
  let latest: SentNotice | undefined;
  for (const notice of sent) {
    if (notice.alert !== item.alert || notice.key !== item.key || notice.channel !== item.channel) continue;
    if (notice.reason === 'resolved' || notice.reason === 'digest' || notice.at > item.createdAt) continue;
    if (!latest || notice.at >= latest.at) latest = notice;
  }
  return latest?.receipt;
}
