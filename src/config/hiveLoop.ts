import { channelKind } from '../notify/channels/registry.js';
import { ownValue } from '../util/plainMap.js';
import type { TheHiveConfig } from '../sources/thehive/types.js';
import type { Problem } from './problems.js';
import type { Config } from './types.js';

/** What of a raw alert the loop check reads: its source, what it reads in TheHive, and the channels it names. */
interface RawHiveAlert {
  source?: unknown;
  thehive?: { object?: unknown } | null;
  notify?: unknown;
  escalation?: unknown;
  ask?: { escalate?: unknown } | null;
}

/**
 * A `source: thehive` alert that reads TheHive alerts must not notify (or escalate to) a thehive channel on the same
 * TheHive instance: each notice would create a TheHive alert that the alert reads the next run, without end.
 */
export function checkHiveLoop(config: Config, raw: RawHiveAlert, at: (where: (string | number)[], message: string) => Problem): Problem[] {
  const section = config.sources.thehive as TheHiveConfig | undefined;
  if (raw.source !== 'thehive' || config.contentUnknown || !section?.url || raw.thehive?.object === 'case') return [];
  const source = sameInstance(section.url);
  const problems: Problem[] = [];
  const check = (list: unknown, where: (string | number)[]) =>
    (Array.isArray(list) ? list : []).forEach((name, i) => {
      const channel = typeof name === 'string' ? ownValue(config.channels, name) : undefined;
      const creates = channel ? channelKind(channel.type)?.createsItemsOf?.(channel) : undefined;
      if (creates?.source !== 'thehive' || sameInstance(creates.url) !== source) return;
      problems.push(at([...where, i], `"${name}" creates TheHive alerts on ${section.url}, the instance this alert reads: each notice would become an alert it reads the next run, without end (send to a channel on another TheHive instance, or read cases: thehive: { object: case })`));
    });
  check(raw.notify, ['notify']);
  (Array.isArray(raw.escalation) ? raw.escalation : []).forEach((tier: { notify?: unknown } | null, i) => check(tier?.notify, ['escalation', i, 'notify']));
  if (raw.ask && typeof raw.ask === 'object') check(raw.ask.escalate, ['ask', 'escalate']);
  return problems;
}

/** A TheHive URL as compared for sameness: scheme and host in lower case, default port dropped, no trailing slash. */
function sameInstance(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.replace(/\/+$/, '');
  }
}
