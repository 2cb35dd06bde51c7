import { apiUrl, optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import { PAGERDUTY_SEVERITIES, type PagerDutyChannelConfig } from './types.js';

/** PagerDuty's Events API v2: a trigger per notice with one dedup_key per alert and key, resolved when the key resolves. */
export const pagerDutyChannel: ChannelKind<PagerDutyChannelConfig> = {
  type: 'pagerduty',
  secretKeys: ['routing_key'],
  complete: (raw) => ({
    type: 'pagerduty',
    routing_key: String(raw.routing_key ?? ''),
    api_url: apiUrl(raw, 'https://events.pagerduty.com'),
    severity: PAGERDUTY_SEVERITIES.find((s) => s === raw.severity) ?? 'error',
    source: optionalText(raw, 'source') ?? 'alertcron',
    component: optionalText(raw, 'component'),
    group: optionalText(raw, 'group'),
    class: optionalText(raw, 'class'),
    client: optionalText(raw, 'client') ?? 'alertcron',
    client_url: optionalText(raw, 'client_url'),
    custom_details: raw.custom_details as Record<string, string> | undefined,
    timeout: timeoutOf(raw),
  }),
  destinations: async (_name, config) => [`PagerDuty Events API v2 at ${originOf(config.api_url)}`],
  receiptId: 'dedup_key',
  notifier: async (name, config) => (await import('./notifier.js')).createPagerDutyNotifier(name, config),
};
