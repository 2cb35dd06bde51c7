import { mergeReceipts } from '../model/receipt.js';
import type { Receipt } from '../model/receipt.js';
import type { KeyState, PendingDelivery, StateData } from '../model/state.js';
import { plainMap } from '../util/plainMap.js';
import { addReceipt } from './receipts.js';

/** A delivery a channel accepted, as written to the journal the moment it happens. */
export interface DeliveredEntry {
  id: string;
  at: number;
  receipt?: Receipt;
  /** The source action the accepted notice calls for (e.g. a tag write-back), queued with it. */
  then?: PendingDelivery;
}

/**
 * Applies one accepted delivery to the state: the item leaves the pending list, its key is stamped for that
 * channel (with the receipt, for what builds on it), the notice is kept with its receipt in `sent`, and the action it calls for is queued. Returns the item, or undefined when it was no
 * longer pending (applying twice changes nothing).
 */
export function markDelivered(data: StateData, entry: DeliveredEntry): PendingDelivery | undefined {
  const index = data.pending.findIndex((p) => p.id === entry.id);
  if (index < 0) return undefined;
  const [item] = data.pending.splice(index, 1) as [PendingDelivery];
  if (item.channel) {
    const receipt = mergeReceipts(item.partial, entry.receipt) ?? {};
    const key = stampDelivered(data, item, entry.at);
    if (key) (key.opened ??= plainMap())[item.channel] = { at: entry.at, ...(Object.keys(receipt).length ? { receipt } : {}) };
    addReceipt(data, {
      id: item.id,
      alert: item.alert,
      key: item.key,
      channel: item.channel,
      reason: item.reason,
      at: entry.at,
      receipt,
      ...(item.actions?.length ? { actions: item.actions, ref: item.ref, title: item.title } : {}),
    });
  }
  if (entry.then) {
    // A later entry may carry the same action with more merged into it: the latest version wins.
    const queued = data.pending.findIndex((p) => p.id === entry.then!.id);
    if (queued >= 0) data.pending[queued] = entry.then;
    else data.pending.push(entry.then);
  }
  return item;
}

/**
 * Stamps a notice's key with when its channel accepted it: what the key's resolved notice is sent by. A resolved
 * notice stamps nothing, so that only a notice of the key's current episode makes a channel get the next one; nor
 * does a digest, which sums up many keys. Returns the key stamped.
 */
export function stampDelivered(data: StateData, item: Pick<PendingDelivery, 'alert' | 'key' | 'channel' | 'reason'>, at: number): KeyState | undefined {
  // A digest's key (`_digest[:<value>]`) is no finding's, even when a finding's key reads the same.
  const key = item.channel && item.reason !== 'resolved' && item.reason !== 'digest' ? data.alerts[item.alert]?.keys[item.key] : undefined;
  if (key) key.delivered[item.channel!] = at;
  return key;
}
