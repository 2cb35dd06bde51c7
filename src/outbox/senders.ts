import type { AuditEntry } from '../model/audit.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import type { ChannelConfig } from '../notify/config.js';
import { createNotifier } from '../notify/registry.js';
import { Slots } from '../notify/slots.js';
import type { Notifier } from '../notify/types.js';
import type { Source } from '../sources/types.js';
import type { Sender } from './deliver.js';
import { ownValue } from '../util/plainMap.js';
import { keptReceipt, openedLookup } from './opened.js';
import { receiptHorizon } from '../state/receipts.js';

/** Where pending items go: each channel's notifier (created on first use) and each loaded source's actions. */
export interface Senders {
  senderFor(item: PendingDelivery): Sender | string;
  /** The most sends in flight the item's channel allows on its own (its `concurrency`), if it sets one. */
  limitOf(item: PendingDelivery): number | undefined;
  /** The audit records the accepted sends asked for since the last call (a log channel's notices), in the order they were sent. */
  takeAudit(): AuditEntry[];
  /** Releases what the notifiers keep open (pooled connections). */
  close(): void;
}

/** Builds the senders of a run from the configured channels and the sources it loaded. */
export function createSenders(channels: Record<string, ChannelConfig>, sources: ReadonlyMap<string, Source>, data?: StateData): Senders {
  const notifiers = new Map<string, Promise<Notifier>>();
  // What each channel opened for a key, looked up in the state's sent notices grouped once (not scanned per send).
  const opensOf = data ? openedLookup(() => data.sent) : undefined;
  const slots = new Map<string, Slots>();
  const audit: AuditEntry[] = [];
  const notifierFor = (channel: string) => {
    const config = channels[channel];
    if (!config) return undefined;
    if (!notifiers.has(channel)) notifiers.set(channel, createNotifier(channel, config, data));
    return notifiers.get(channel)!;
  };
  // A channel that can have only so many sends in flight (an email channel's pooled connections) hands out that many slots.
  const slotOf = async (channel: string, notifier: Promise<Notifier>): Promise<() => void> => {
    const size = await notifier.then((n) => n.slots, () => undefined);
    if (!size) return () => undefined;
    if (!slots.has(channel)) slots.set(channel, new Slots(size));
    return slots.get(channel)!.acquire();
  };
  return {
    senderFor(item) {
      if (item.action) {
        const { source: name, name: action, args } = item.action;
        const perform = ownValue(sources.get(name)?.actions, action);
        if (!perform) return `source "${name}" is not configured (or has no action "${action}")`;
        return async (pending, signal) => {
          await perform(pending.key, args, signal);
        };
      }
      const notifier = notifierFor(item.channel ?? '');
      if (!notifier) return `channel "${item.channel}" is no longer configured`;
      // A resolve, repeat or tier carries what its channel opened for the key (a Jira issue's key, an Alertmanager
      // alert's labels): a repeat or tier only within the key's current episode (since its last resolve).
      const send: Sender = async (pending, signal) => {
        const key = ownValue(ownValue(data?.alerts, pending.alert)?.keys, pending.key);
        // From the key when it decides (a state whose receipts live in a log, pruned this run), else from the receipts.
        const horizon = data ? receiptHorizon(data) : undefined;
        const kept = horizon !== undefined ? keptReceipt(key, pending, key?.resolvedAt, horizon) : undefined;
        const opened = kept ? kept.receipt : opensOf?.(pending, key?.resolvedAt);
        const notice = opened ? { ...pending, opened } : pending;
        const ready = await notifier;
        const receipt = await ready.send(notice, signal);
        if (ready.audit) audit.push(ready.audit(notice));
        return receipt;
      };
      send.slot = () => slotOf(item.channel!, notifier);
      return send;
    },
    limitOf: (item) => (item.channel ? channels[item.channel]?.concurrency : undefined),
    takeAudit: () => audit.splice(0),
    close() {
      for (const notifier of notifiers.values()) notifier.then((n) => n.close?.(), () => undefined);
    },
  };
}
