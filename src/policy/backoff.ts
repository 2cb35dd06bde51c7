/** A key's throttle after a notice: how long it waits now (ms) and the doubling exponent kept for the next notice. */
export interface Backoff {
  wait: number;
  exponent: number;
}

/**
 * ElastAlert2's exponential_realert (next_alert_time): a notice given before the previous wait plus one more of
 * that wait doubles the wait (base, 2x, 4x ...), capped at `cap`; a later one halves it once per span of its size
 * that went by, down to the base. `lastUntil` is when the previous wait ended; undefined for the first notice. Pure.
 */
export function nextBackoff(lastUntil: number | undefined, exponent: number, now: number, base: number, cap: number): Backoff {
  // A zero throttle has nothing to double (and 0 x 2^e is no wait either): it stays fixed.
  if (lastUntil === undefined || base <= 0) return { wait: Math.min(base, cap), exponent: 0 };
  let diff = now - lastUntil;
  // No exponent beyond the one whose wait reaches the cap is ever kept: one from a damaged state is held to it.
  const top = Math.max(0, Math.ceil(Math.log2(cap / base)));
  let e = Math.min(top, Math.max(0, Math.floor(exponent)));
  if (diff < base * 2 ** e) e++;
  else {
    while (diff > base * 2 ** e && e > 0) {
      diff -= base * 2 ** e;
      e--;
    }
  }
  const wait = base * 2 ** e;
  if (wait >= cap) return { wait: cap, exponent: Math.max(0, e - 1) };
  return { wait, exponent: e };
}
