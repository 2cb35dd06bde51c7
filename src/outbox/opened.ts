import type { Receipt } from '../model/receipt.js';
import type { PendingDelivery, SentNotice } from '../model/state.js';

/**
 * What a notice of a key builds on, on its channel: the receipt of the latest notice of the same alert and key that
 * channel accepted (not a resolve, not a digest). For a resolve, among those accepted before it was queued; for any
 * other notice but a first (a repeat, a tier), among those of the key's current episode, accepted after
 * `episodeStart` (the key's last resolvedAt; unset: since the key was first seen). Undefined when none is kept, and
 * for a first notice or a digest. Pure.
 */
export function openedReceipt(sent: readonly SentNotice[], item: Pick<PendingDelivery, 'alert' | 'key' | 'channel' | 'reason' | 'createdAt'>, episodeStart?: number): Receipt | undefined {
  if (!item.channel || item.reason === 'first' || item.reason === 'digest') return undefined;
  const resolve = item.reason === 'resolved';
  let latest: SentNotice | undefined;
  for (const notice of sent) {
    if (notice.alert !== item.alert || notice.key !== item.key || notice.channel !== item.channel) continue;
    if (notice.reason === 'resolved' || notice.reason === 'digest') continue;
    if (resolve ? notice.at > item.createdAt : episodeStart !== undefined && notice.at <= episodeStart) continue;
    if (!latest || notice.at >= latest.at) latest = notice;
  }
  return latest?.receipt;
}
