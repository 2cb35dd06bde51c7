import { emptyState, type PendingDelivery, type StateData } from '../model/state.js';
import { ownValue } from '../util/plainMap.js';

/** The internal channels through which older versions wrote TheHive tags; now a source action. */
const OLD_TAG_CHANNELS: Record<string, 'alert' | 'case'> = { _thehive: 'alert', _thehive_case: 'case' };

/** Fills in what older state files lack and rewrites what they stored differently, keeping everything they have. */
export function migrateState(raw: Partial<StateData> | null | undefined): StateData {
  const data: StateData = { ...emptyState(), ...(raw ?? {}), version: 1 };
  // A pending slice of the wrong shape is left as it is, for settleState to set aside.
  if (Array.isArray(data.pending)) data.pending = data.pending.map(migratePending);
  return data;
}

function migratePending(item: PendingDelivery & { tags?: string[] }): PendingDelivery {
  const object = typeof item?.channel === 'string' ? ownValue(OLD_TAG_CHANNELS, item.channel) : undefined;
  if (!object) return item;
  const { tags, channel: _channel, ...rest } = item;
  return { ...rest, action: { source: 'thehive', name: 'tag', args: { object, tags: tags ?? [] } } };
}
