import type { SlackChannelConfig } from '../../config.js';
import { timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';

/** A Slack incoming webhook (a JSON POST with node's own http). */
export const slackChannel: ChannelKind<SlackChannelConfig> = {
  type: 'slack',
  secretKeys: ['webhook_url'],
  complete: (raw) => ({ type: 'slack', webhook_url: String(raw.webhook_url), timeout: timeoutOf(raw) }),
  // The webhook's token is in its path.
  sentCredentials: (config) => [{ url: config.webhook_url }],
  destinations: async () => ['its Slack incoming webhook'],
  notifier: async (name, config) => (await import('../../slack.js')).createSlackNotifier(name, config),
};
