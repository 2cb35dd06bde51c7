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
 * longer pending (applying twice changes nothing). For many at once use a DeliveryBatch (this one scans the list).
 */
export function markDelivered(data: StateData, entry: DeliveredEntry): PendingDelivery | undefined {
  const batch = new DeliveryBatch(data);
  const item = batch.mark(entry);
  batch.finish();
  return item;
}

/**
 * Applies many accepted deliveries as markDelivered does, each in constant time: `mark` each entry (an id to
 * index map finds its item), then `finish` once, which takes the delivered items out of the pending list in one pass.
 */
export class DeliveryBatch {
  private readonly index = new Map<string, number>();
  private readonly taken = new Set<number>();

  constructor(private readonly data: StateData) {
    data.pending.forEach((item, i) => this.index.set(item.id, i));
  }

  /** Applies one accepted delivery (see markDelivered); returns the item, or undefined when it was no longer pending. */
  mark(entry: DeliveredEntry): PendingDelivery | undefined {
    const { data } = this;
    const at = this.index.get(entry.id);
    if (at === undefined) return undefined;
    this.index.delete(entry.id);
    this.taken.add(at);
    const item = data.pending[at]!;
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
      const queued = this.index.get(entry.then.id);
      if (queued !== undefined) data.pending[queued] = entry.then;
      else this.index.set(entry.then.id, data.pending.push(entry.then) - 1);
    }
    return item;
  }

  /** Takes the items marked delivered out of the pending list (the rest keep their order); call once after the marks. */
  finish(): void {
    if (!this.taken.size) return;
    const taken = this.taken;
    this.data.pending = this.data.pending.filter((_, i) => !taken.has(i));
    this.taken.clear();
    this.index.clear();
    this.data.pending.forEach((item, i) => this.index.set(item.id, i));
  }
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
