import type { KeyState } from '../model/state.js';

/** How the resolve choice sees a channel by name: undefined when alertcron.yaml no longer has it. */
export type ResolveSetting = (channel: string) => { sendResolved: boolean } | undefined;

/** Where a key's resolved notice goes, and the channels told of the key that do not get it, with why. */
export interface ResolveTargets {
  to: string[];
  skipped: { channel: string; why: string }[];
}

/**
 * The channels that get a key's resolved notice: each configured channel with send_resolved that accepted a notice
 * of the key in its current firing episode (after its last resolvedAt: a first notice, a repeat, an escalation
 * tier ...), whatever silence or ack came since, so what a notice opened elsewhere is closed. A channel told only
 * in an earlier episode is left out silently; one no longer configured, or with send_resolved false, is named in
 * `skipped`. Pure.
 */
export function resolveTargets(key: Pick<KeyState, 'delivered' | 'resolvedAt'>, settingOf: ResolveSetting): ResolveTargets {
  const targets: ResolveTargets = { to: [], skipped: [] };
  for (const channel of Object.keys(key.delivered).sort()) {
    const at = key.delivered[channel]!;
    if (key.resolvedAt !== undefined && at <= key.resolvedAt) continue;
    const setting = settingOf(channel);
    if (!setting) targets.skipped.push({ channel, why: 'channel no longer configured in alertcron.yaml' });
    else if (!setting.sendResolved) targets.skipped.push({ channel, why: 'send_resolved is false' });
    else targets.to.push(channel);
  }
  return targets;
}
