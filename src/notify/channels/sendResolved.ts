import type { ResolveSetting } from '../../policy/resolveTargets.js';
import { ownValue } from '../../util/plainMap.js';
import type { ChannelConfig } from '../config.js';
import { channelKind } from './registry.js';

/** Whether a channel gets resolved notices: its `send_resolved`, else its kind's default, else true. */
export function sendsResolved(config: ChannelConfig): boolean {
  return config.send_resolved ?? channelKind(config.type)?.sendResolved ?? true;
}

/** The resolve choice's view of alertcron.yaml's channels: each one's send_resolved, undefined for a name it lacks. */
export function resolveSettingOf(channels: Readonly<Record<string, ChannelConfig>>): ResolveSetting {
  return (channel) => {
    const config = ownValue(channels, channel);
    return config ? { sendResolved: sendsResolved(config) } : undefined;
  };
}
