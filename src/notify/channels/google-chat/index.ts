import { optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import type { GoogleChatChannelConfig } from './types.js';

/** Google Chat through a space's incoming webhook: a text message or a card per notice, optionally threaded. */
export const googleChatChannel: ChannelKind<GoogleChatChannelConfig> = {
  type: 'google-chat',
  secretKeys: ['webhook_url'],
  complete: (raw) => {
    const threadKey = optionalText(raw, 'thread_key');
    return {
      type: 'google-chat',
      webhook_url: String(raw.webhook_url ?? ''),
      format: raw.format === 'card' ? 'card' : 'text',
      ...(threadKey !== undefined ? { thread_key: threadKey } : {}),
      timeout: timeoutOf(raw),
    };
  },
  // The webhook's key and token are in its query.
  sentCredentials: (config) => [{ url: config.webhook_url }],
  destinations: async (_name, config) => [`Google Chat webhook at ${originOf(config.webhook_url)}`],
  receiptId: 'message name',
  notifier: async (name, config) => (await import('./notifier.js')).createGoogleChatNotifier(name, config),
};
