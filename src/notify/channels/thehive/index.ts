import type { TheHiveConfig } from '../../../sources/thehive/types.js';
import { parseDuration } from '../../../util/duration.js';
import { optionalText, originOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import { papLevel, severityLevel, tlpLevel } from './levels.js';
import type { HiveObservableMapping, TheHiveChannelConfig } from './types.js';

/** Creates one TheHive alert per notice, deduplicated by a sourceRef derived from the alert, key and window. */
export const theHiveChannel: ChannelKind<TheHiveChannelConfig> = {
  type: 'thehive',
  secretKeys: ['api_key'],
  // A TheHive alert is closed by people, in TheHive: its resolves are not queued at all (the notifier skips one anyway).
  sendResolved: false,
  complete(raw, sections) {
    const section = sections?.thehive as TheHiveConfig | undefined;
    // A channel with its own url takes nothing of the section (another instance): version 5 and 10s unless set.
    const own = raw.url !== undefined;
    const version = raw.version === 4 || raw.version === 5 ? raw.version : own ? 5 : (section?.version ?? 5);
    const hive: TheHiveConfig = {
      url: (optionalText(raw, 'url') ?? section?.url ?? '').replace(/\/+$/, ''),
      api_key: optionalText(raw, 'api_key') ?? (own ? '' : (section?.api_key ?? '')),
      organisation: optionalText(raw, 'organisation') ?? (own ? undefined : section?.organisation),
      timeout: raw.timeout === undefined ? (own ? 10_000 : (section?.timeout ?? 10_000)) : parseDuration(String(raw.timeout)),
      version,
      max_items: 1,
    };
    const missing = !hive.url
      ? 'the thehive channel has no url: set url (and api_key) in the channel, or add a thehive: section to alertcron.yaml'
      : !hive.api_key
        ? `the thehive channel has no api_key: set api_key: \${ENV_VAR} in the channel${raw.url === undefined ? ' or in the thehive: section' : ''}`
        : undefined;
    return {
      type: 'thehive',
      hive,
      title: optionalText(raw, 'title') ?? '{{title}}',
      description: optionalText(raw, 'description') ?? '{{message}}',
      alert_type: optionalText(raw, 'alert_type') ?? 'alertcron',
      source: optionalText(raw, 'source') ?? 'alertcron',
      severity: severityLevel(raw.severity ?? 2),
      tlp: tlpLevel(raw.tlp ?? 2, version),
      pap: papLevel(raw.pap ?? 2),
      tags: (raw.tags as string[] | undefined) ?? [],
      custom_fields: (raw.custom_fields as Record<string, string> | undefined) ?? {},
      observables: ((raw.observables as Partial<HiveObservableMapping>[] | undefined) ?? []).map((o) => ({ field: String(o.field), type: String(o.type), tags: o.tags ?? [] })),
      ...(missing ? { missingSecret: missing } : {}),
    };
  },
  problems: (raw, sections) => (raw.url === undefined && !sections.thehive ? ['a thehive channel needs url and api_key, or a thehive: section in alertcron.yaml to take them from'] : []),
  sentCredentials: (config) => (config.hive.api_key ? [{ header: `Bearer ${config.hive.api_key}` }] : []),
  destinations: async (_name, config) => [config.hive.url ? `TheHive ${config.hive.version} at ${originOf(config.hive.url)}` : '(url not set)'],
  receiptId: 'TheHive alert id',
  createsItemsOf: (config) => (config.hive.url ? { source: 'thehive', url: config.hive.url } : undefined),
  notifier: async (name, config) => (await import('./notifier.js')).createTheHiveNotifier(name, config),
};

