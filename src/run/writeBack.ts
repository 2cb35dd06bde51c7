import { randomUUID } from 'node:crypto';
import type { AlertDef, ChannelConfig, Config } from '../config/types.js';
import type { PendingDelivery } from '../state/types.js';
import { renderTemplate } from '../util/template.js';
import type { DeliveryReport } from './report.js';

/** The internal channels through which tags are written back to TheHive alerts and cases. */
export const THEHIVE_TAG_CHANNEL = '_thehive';
const THEHIVE_CASE_TAG_CHANNEL = '_thehive_case';

/** The configured channels plus the internal TheHive tag channels when TheHive is configured. */
export function deliveryChannels(config: Config): Record<string, ChannelConfig> {
  if (!config.thehive) return config.channels;
  return {
    ...config.channels,
    [THEHIVE_TAG_CHANNEL]: { type: 'thehive-tag', object: 'alert', ...config.thehive },
    [THEHIVE_CASE_TAG_CHANNEL]: { type: 'thehive-tag', object: 'case', ...config.thehive },
  };
}

/**
 * For every notice delivered in this run by an alert with `write_back_tag`, one pending tag write to its
 * TheHive alert (once per alert, key and tag, whatever the number of channels); retried like any delivery.
 */
export function writeBackTags(alerts: readonly AlertDef[], delivered: readonly DeliveryReport[], pending: readonly PendingDelivery[], now: number): PendingDelivery[] {
  const byName = new Map(alerts.map((a) => [a.name, a]));
  const isTagChannel = (channel: string) => channel === THEHIVE_TAG_CHANNEL || channel === THEHIVE_CASE_TAG_CHANNEL;
  const queued = new Set(pending.filter((p) => isTagChannel(p.channel)).map((p) => `${p.alert}\u0000${p.key}\u0000${p.tags?.join(',')}`));
  const out: PendingDelivery[] = [];
  for (const d of delivered) {
    const alert = byName.get(d.alert);
    if (!d.ok || !d.reason || isTagChannel(d.channel) || !alert?.write_back_tag || d.reason === 'resolved') continue;
    const tag = renderTemplate(alert.write_back_tag, { reason: d.reason, alert: d.alert });
    const id = `${d.alert}\u0000${d.key}\u0000${tag}`;
    if (queued.has(id)) continue;
    queued.add(id);
    const channel = alert.thehive?.object === 'case' ? THEHIVE_CASE_TAG_CHANNEL : THEHIVE_TAG_CHANNEL;
    out.push({ id: randomUUID(), alert: d.alert, key: d.key, channel, reason: 'write-back', title: tag, message: '', tags: [tag], createdAt: now, attempts: 0 });
  }
  return out;
}
