import type { StateData } from '../model/state.js';
import { channelKind } from './channels/registry.js';
import type { ChannelConfig } from './config.js';
import type { PrivateMessage } from './telegramAsk.js';
import { DeliveryError, type AskChannel, type InboxReader, type Notifier } from './types.js';

/** Creates the notifier of a configured channel, loading its SDK only now (a run without it never pays for it). */
export async function createNotifier(name: string, config: ChannelConfig, data?: StateData): Promise<Notifier> {
  // A channel whose secret is not set fails its own deliveries; they stay pending for a run that has it.
  if (config.missingSecret) throw new DeliveryError(config.missingSecret, true, undefined, true);
  const kind = channelKind(config.type);
  if (!kind) throw new DeliveryError(`channel ${name} has an unknown type "${config.type}"`, false);
  return kind.notifier(name, config, data);
}

/**
 * The inbox of a channel that can read what people did in chat since the last run (a Telegram bot, a Slack app),
 * or undefined for channels that only send (and for a reading channel whose secret is unset).
 */
export async function createInbox(name: string, config: ChannelConfig): Promise<InboxReader | undefined> {
  if (config.missingSecret) return undefined;
  const inbox = channelKind(config.type)?.inbox;
  return inbox?.reads(config) ? inbox.create(name, config) : undefined;
}

/** What only one channel may read at a time (a bot's update queue), named for a warning; undefined when nothing is shared. */
export function sharedInbox(config: ChannelConfig): { key: string; what: string } | undefined {
  return channelKind(config.type)?.inbox?.shared?.(config);
}

/** Whether a configured channel can hold private conversations with people (what `ask.via` needs): a Slack app, a Telegram bot. */
export function canAsk(config: ChannelConfig): boolean {
  return channelKind(config.type)?.ask?.can(config) ?? false;
}

/**
 * The private-conversation side of a chat channel, for ask alerts: find a person, write to them, read their
 * replies. Undefined for channels that cannot hold one (email, webhooks, incoming-webhook Slack ...).
 */
export async function createAskChannel(_name: string, config: ChannelConfig, kept: () => readonly PrivateMessage[] = () => []): Promise<AskChannel | undefined> {
  if (!canAsk(config)) return undefined;
  if (config.missingSecret) {
    // Every call fails with the reason: the conversation waits (and escalates at its deadline), it is not "unknown".
    const fail = async (): Promise<never> => {
      throw new Error(config.missingSecret);
    };
    return { find: fail, say: fail, replies: fail };
  }
  return channelKind(config.type)!.ask!.create(config, kept);
}
