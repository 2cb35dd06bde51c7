import { optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import type { MattermostChannelConfig } from './types.js';

/** A Mattermost incoming webhook: the title in bold, then the text, inert in its markdown, mentions broken. */
export const mattermostChannel: ChannelKind<MattermostChannelConfig> = {
  type: 'mattermost',
  secretKeys: ['webhook_url'],
  complete: (raw) => {
    const optional = (key: 'channel' | 'username' | 'icon_url' | 'color') => {
      const value = optionalText(raw, key);
      return value === undefined ? {} : { [key]: value };
    };
    return { type: 'mattermost', webhook_url: String(raw.webhook_url ?? ''), ...optional('channel'), ...optional('username'), ...optional('icon_url'), ...optional('color'), timeout: timeoutOf(raw) };
  },
  // The webhook's id in its path is all it takes to post.
  sentCredentials: (config) => [{ url: config.webhook_url }],
  destinations: async (_name, config) => [`Mattermost incoming webhook at ${originOf(config.webhook_url)}${config.channel ? ` (channel ${config.channel})` : ''}`],
  notifier: async (name, config) => (await import('./notifier.js')).createMattermostNotifier(name, config),
};
