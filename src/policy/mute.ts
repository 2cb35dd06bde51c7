import type { KeyState, PendingDelivery, StateData } from '../model/state.js';
import { findSilence } from './silences.js';
import { SELF_ALERT } from '../model/alert.js';

/** What the muter needs to know besides the state: which alerts still exist, and which are switched off. */
export interface MuteContext {
  data: StateData;
  /** Names of the alerts that have a file (valid or not). */
  defined: ReadonlySet<string>;
  /** Names of the alerts whose file says enabled: false. */
  disabled: ReadonlySet<string>;
  now: number;
}

/** Alerts whose notices are never muted: alertcron's own (self-monitoring). */
const UNMUTED_ALERTS = new Set([SELF_ALERT]);

/**
 * Why a queued notice must not be sent (any more), or undefined: a silence or an ignore, an acknowledgement,
 * a key dealt with elsewhere (promoted) or resolved since it was queued, an alert deleted or disabled. Applied
 * when a notice is queued and again just before it is sent. Source actions (tag write-backs) are never muted.
 * A resolved notice closes what its channel was told, so no silence, ack, disabling or deletion of its alert holds
 * it back; only a newer notice of the key on its channel does (that episode's own resolve will close it).
 */
export function muteReason(item: PendingDelivery, context: MuteContext): string | undefined {
  if (item.action || UNMUTED_ALERTS.has(item.alert)) return undefined;
  // A digest sums up many keys: no key's state or key silence holds it, not even a finding key that reads `_digest`.
  const digest = item.reason === 'digest';
  const key = digest ? undefined : context.data.alerts[item.alert]?.keys[item.key];
  // Queued before the alert was disabled or deleted: its channel got the trigger, and no later run resolves the key.
  if (item.reason === 'resolved') return toldAgainSince(item, key);
  if (!context.defined.has(item.alert)) return 'alert deleted';
  if (context.disabled.has(item.alert)) return 'alert disabled';
  const silences = digest ? context.data.silences.filter((s) => s.key === undefined) : context.data.silences;
  const silence = findSilence(silences, item.alert, { key: item.key, fields: item.labels ?? {} }, context.now);
  if (silence) return `silenced by ${silence.id} (${silence.author}: ${silence.comment})`;
  if (key?.handled) return `${key.handled.how} by ${key.handled.by}`;
  if (key?.acknowledged) return `acknowledged by ${key.acknowledged.by}`;
  if (key?.resolvedAt !== undefined && item.createdAt <= key.resolvedAt) return 'key resolved since it was queued';
  return undefined;
}

/** Why a resolved notice still pending is stale: its channel accepted a newer notice of the key (it fired again). */
function toldAgainSince(item: PendingDelivery, key: KeyState | undefined): string | undefined {
  const at = item.channel === undefined ? undefined : key?.delivered[item.channel];
  return at !== undefined && at > item.createdAt ? 'the key fired again on this channel since it was resolved (the next resolved notice closes it)' : undefined;
}
