import type { KeyState } from '../state/types.js';

/** Why a finding is or is not notified. */
export type DecisionReason = 'first' | 'repeat' | 'throttled' | 'once';

/** The outcome of the policy for one finding. */
export interface Decision {
  notify: boolean;
  reason: DecisionReason;
  /** When the key may notify again (epoch ms), if ever. */
  nextAt?: number;
}

/** Decides, from the key's history and the alert's throttle, whether a finding is notified now. Pure. */
export function decide(key: KeyState | undefined, throttle: number | 'once', now: number): Decision {
  if (!key || key.lastFired === undefined) return { notify: true, reason: 'first', nextAt: throttle === 'once' ? undefined : now + throttle };
  if (throttle === 'once') return { notify: false, reason: 'once', nextAt: undefined };
  const nextAt = key.lastFired + throttle;
  if (now >= nextAt) return { notify: true, reason: 'repeat', nextAt: now + throttle };
  return { notify: false, reason: 'throttled', nextAt };
}
