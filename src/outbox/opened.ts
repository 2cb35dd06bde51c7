import type { Receipt } from '../model/receipt.js';
import type { KeyState, PendingDelivery, SentNotice } from '../model/state.js';
import { isPlainObject, ownValue } from '../util/plainMap.js';

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

/**
 * `openedReceipt` over a run's list of sent notices (read through `current`, as the state holds it now) without
 * scanning it whole for each send: the notices are grouped by alert, key and channel once, those appended since
 * (accepted in this run) are added at the next lookup, and a list replaced (pruned) is grouped again.
 */
export function openedLookup(current: () => readonly SentNotice[]): (item: Pick<PendingDelivery, 'alert' | 'key' | 'channel' | 'reason' | 'createdAt'>, episodeStart?: number) => Receipt | undefined {
  const groups = new Map<string, SentNotice[]>();
  const groupOf = (alert: string, key: string, channel: string) => JSON.stringify([alert, key, channel]);
  let list: readonly SentNotice[] | undefined;
  let indexed = 0;
  return (item, episodeStart) => {
    if (!item.channel || item.reason === 'first' || item.reason === 'digest') return undefined;
    const sent = current();
    if (sent !== list || sent.length < indexed) {
      groups.clear();
      list = sent;
      indexed = 0;
    }
    for (; indexed < sent.length; indexed++) {
      const notice = sent[indexed]!;
      const group = groupOf(notice.alert, notice.key, notice.channel);
      const kept = groups.get(group);
      if (kept) kept.push(notice);
      else groups.set(group, [notice]);
    }
    return openedReceipt(groups.get(groupOf(item.alert, item.key, item.channel)) ?? [], item, episodeStart);
  };
}

/**
 * `openedReceipt` from what the key keeps (the receipt of its channel's latest notice, `key.opened`) when that
 * decides it: `{ receipt }` (undefined: none), or undefined when only the receipts can tell (the key's stamp is not
 * that notice's, e.g. from an older state, or a resolve queued before the latest notice). Receipts accepted before
 * `horizon` count as forgotten (pruned), as they are in the list. Pure.
 */
export function keptReceipt(key: KeyState | undefined, item: Pick<PendingDelivery, 'channel' | 'reason' | 'createdAt'>, episodeStart?: number, horizon?: number): { receipt?: Receipt } | undefined {
  if (!item.channel || item.reason === 'first' || item.reason === 'digest') return {};
  const stamp = key ? ownValue(key.delivered, item.channel) : undefined;
  // No notice of the key was accepted on the channel: nothing to build on, as the list would say (unless the key is gone).
  if (key && stamp === undefined) return {};
  if (stamp !== undefined && horizon !== undefined && stamp < horizon) return {};
  const kept = key && isPlainObject(key.opened) ? ownValue(key.opened, item.channel) : undefined;
  // Only a well-formed receipt of the very notice the stamp is of decides (anything else: the receipts do).
  if (!isPlainObject(kept) || kept.at !== stamp || (kept.receipt !== undefined && !isPlainObject(kept.receipt))) return undefined;
  if (item.reason === 'resolved') return kept.at <= item.createdAt ? { receipt: kept.receipt ?? {} } : undefined;
  return episodeStart === undefined || kept.at > episodeStart ? { receipt: kept.receipt ?? {} } : {};
}
