import type { KeyState, Silence } from '../model/state.js';

/** Why a finding is or is not notified. */
export type DecisionReason = 'first' | 'repeat' | 'throttled' | 'once' | 'silenced' | 'acknowledged';

/** The outcome of the policy for one finding. */
export interface Decision {
  notify: boolean;
  reason: DecisionReason;
  /** When the key may notify again (epoch ms), if ever. */
  nextAt?: number;
}

/** Decides, from the key's history, the alert's throttle and any silence, whether a finding is notified now. Pure. */
export function decide(key: KeyState | undefined, throttle: number | 'once', now: number, silence?: Silence): Decision {
  if (silence) return { notify: false, reason: 'silenced', nextAt: silence.endsAt };
  if (key?.acknowledged) return { notify: false, reason: 'acknowledged', nextAt: undefined };
  if (!key || key.lastFired === undefined) return { notify: true, reason: 'first', nextAt: throttle === 'once' ? undefined : now + throttle };
  // A key that resolved and came back is a new occurrence, but the throttle clock runs on: a key that comes and
  // goes is not told "first", "resolved", "first" ... every few minutes.
  const cameBack = !isFiring(key);
  if (throttle === 'once') return cameBack ? { notify: true, reason: 'first', nextAt: undefined } : { notify: false, reason: 'once', nextAt: undefined };
  // A key notified while the clock was ahead is throttled from now, not from that future time.
  const nextAt = Math.min(key.lastFired, now) + throttle;
  if (now >= nextAt) return { notify: true, reason: cameBack ? 'first' : 'repeat', nextAt: now + throttle };
  return { notify: false, reason: 'throttled', nextAt };
}

/** True while a key is firing: notified, and not resolved since. */
export function isFiring(key: KeyState): boolean {
  return key.lastFired !== undefined && !(key.resolvedAt !== undefined && key.resolvedAt >= key.lastFired);
}
