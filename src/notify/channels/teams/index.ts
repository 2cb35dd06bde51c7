import { originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import { retiredConnectorUrl } from './retiredUrl.js';
import type { TeamsChannelConfig } from './types.js';

/** Microsoft Teams through a Workflows (Power Automate) webhook: one Adaptive Card per notice. */
export const teamsChannel: ChannelKind<TeamsChannelConfig> = {
  type: 'teams',
  secretKeys: ['webhook_url'],
  complete: (raw) => ({
    type: 'teams',
    webhook_url: String(raw.webhook_url ?? ''),
    facts: (raw.facts as string[] | undefined) ?? [],
    full_width: raw.full_width === true,
    timeout: timeoutOf(raw),
  }),
  problems: (raw) => {
    const retired = typeof raw.webhook_url === 'string' ? retiredConnectorUrl(raw.webhook_url) : undefined;
    return retired ? [retired] : [];
  },
  // The flow's URL carries its token (sig=) in the query.
  sentCredentials: (config) => [{ url: config.webhook_url }],
  destinations: async (_name, config) => [`Teams workflow at ${originOf(config.webhook_url)}`],
  notifier: async (name, config) => (await import('./notifier.js')).createTeamsNotifier(name, config),
};
