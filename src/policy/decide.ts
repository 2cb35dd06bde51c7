import type { KeyState, Silence } from '../model/state.js';
import { nextBackoff } from './backoff.js';

/** Why a finding is or is not notified. */
export type DecisionReason = 'first' | 'repeat' | 'throttled' | 'once' | 'silenced' | 'acknowledged';

/** The outcome of the policy for one finding. */
export interface Decision {
  notify: boolean;
  reason: DecisionReason;
  /** When the key may notify again (epoch ms), if ever. */
  nextAt?: number;
  /** With an exponential throttle, when notifying: the key's throttle from now (ms) and its doubling exponent. */
  backoff?: { throttle: number; exponent: number };
}

/**
 * Decides, from the key's history, the alert's throttle (doubling up to `cap` while the key keeps firing, when
 * given: exponential_throttle) and any silence, whether a finding is notified now. Pure.
 */
export function decide(key: KeyState | undefined, throttle: number | 'once', now: number, silence?: Silence, cap?: number): Decision {
  if (silence) return { notify: false, reason: 'silenced', nextAt: silence.endsAt };
  if (key?.acknowledged) return { notify: false, reason: 'acknowledged', nextAt: undefined };
  if (throttle !== 'once' && cap !== undefined) return decideExponential(key, throttle, cap, now);
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

/** The exponential throttle: the key's own current throttle (kept in its state) decides; a notice sets the next one. */
function decideExponential(key: KeyState | undefined, base: number, cap: number, now: number): Decision {
  const notice = (reason: DecisionReason, lastUntil: number | undefined, exponent: number): Decision => {
    const next = nextBackoff(lastUntil, exponent, now, base, cap);
    return { notify: true, reason, nextAt: now + next.wait, backoff: { throttle: next.wait, exponent: next.exponent } };
  };
  if (!key || key.lastFired === undefined) return notice('first', undefined, 0);
  // A key that resolved and came back starts again from the base throttle (its clock runs on, as above).
  const cameBack = !isFiring(key);
  const from = Math.min(key.lastFired, now);
  const nextAt = from + (currentThrottle(key, base, cap) as number);
  if (now < nextAt) return { notify: false, reason: 'throttled', nextAt };
  return cameBack ? notice('first', undefined, 0) : notice('repeat', nextAt, key.exponent ?? 0);
}

/** A key's throttle now: with exponential_throttle, its own while it fires (kept in its state); else the alert's. */
export function currentThrottle(key: KeyState, throttle: number | 'once', cap: number | undefined): number | 'once' {
  return throttle !== 'once' && cap !== undefined && isFiring(key) && key.throttle !== undefined ? Math.min(Math.max(key.throttle, throttle), cap) : throttle;
}

/** True while a key is firing: notified, and not resolved since. */
export function isFiring(key: KeyState): boolean {
  return key.lastFired !== undefined && !(key.resolvedAt !== undefined && key.resolvedAt >= key.lastFired);
}
