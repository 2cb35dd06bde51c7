import type { WebhookChannelConfig } from '../../config.js';
import { optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';

/** A plain JSON webhook, optionally signed with HMAC-SHA256. */
export const webhookChannel: ChannelKind<WebhookChannelConfig> = {
  type: 'webhook',
  secretKeys: ['secret'],
  complete: (raw) => ({ type: 'webhook', url: String(raw.url), headers: (raw.headers as Record<string, string> | undefined) ?? {}, secret: optionalText(raw, 'secret'), timeout: timeoutOf(raw) }),
  // Discord, Slack and Teams hooks carry their token in the path: the URL is a secret as much as a header.
  sentCredentials: (config) => [...Object.values(config.headers).map((header) => ({ header })), { url: config.url }],
  destinations: async (_name, config) => [originOf(config.url)],
  notifier: async (name, config) => (await import('../../webhook.js')).createWebhookNotifier(name, config),
};

