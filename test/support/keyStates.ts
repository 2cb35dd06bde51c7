import type { KeyState } from '../../src/model/state.js';

/** A key seen, fired and delivered to soc-slack once, all at `seen`: the state tests' plain firing key. */
export function firedKey(seen: number): KeyState {
  return { firstSeen: seen, lastSeen: seen, lastFired: seen, fired: 1, delivered: { 'soc-slack': seen } };
}
