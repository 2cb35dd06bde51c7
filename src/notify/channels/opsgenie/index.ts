import { optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import { OPSGENIE_PRIORITIES, OPSGENIE_REGIONS, type OpsgenieChannelConfig } from './types.js';

/** A list setting of names (undefined: none). */
const names = (raw: Record<string, unknown>, key: string): string[] => ((raw[key] as unknown[] | undefined) ?? []).map(String);

/** Opsgenie's Alert API: an alert per alert and key (its alias), closed when the key resolves; US or EU region. */
export const opsgenieChannel: ChannelKind<OpsgenieChannelConfig> = {
  type: 'opsgenie',
  secretKeys: ['api_key'],
  complete(raw) {
    const region = raw.region === 'eu' ? 'eu' : 'us';
    return {
      type: 'opsgenie',
      api_key: String(raw.api_key ?? ''),
      region,
      api_url: (optionalText(raw, 'api_url') ?? OPSGENIE_REGIONS[region]).replace(/\/+$/, ''),
      message: optionalText(raw, 'message') ?? '{{title}}',
      description: optionalText(raw, 'description') ?? '{{message}}',
      priority: OPSGENIE_PRIORITIES.find((p) => p === raw.priority) ?? 'P3',
      teams: names(raw, 'teams'),
      users: names(raw, 'users'),
      escalations: names(raw, 'escalations'),
      schedules: names(raw, 'schedules'),
      tags: names(raw, 'tags'),
      entity: optionalText(raw, 'entity'),
      source: optionalText(raw, 'source') ?? 'alertcron',
      details: raw.details as Record<string, string> | undefined,
      timeout: timeoutOf(raw),
    };
  },
  sentCredentials: (config) => (config.api_key ? [{ header: `GenieKey ${config.api_key}` }] : []),
  destinations: async (_name, config) => {
    const responders = [...config.teams.map((t) => `team ${t}`), ...config.users.map((u) => `user ${u}`), ...config.escalations.map((e) => `escalation ${e}`), ...config.schedules.map((s) => `schedule ${s}`)];
    return [`Opsgenie at ${originOf(config.api_url)}${responders.length ? ` (${responders.join(', ')})` : ''}`];
  },
  receiptId: 'alias',
  notifier: async (name, config) => (await import('./notifier.js')).createOpsgenieNotifier(name, config),
};
