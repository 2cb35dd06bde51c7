import type { Threshold } from './types.js';

/** True when `value` satisfies every bound of the threshold (gt, gte, lt, lte). */
export function meetsThreshold(value: number, t: Threshold): boolean {
  if (t.gt !== undefined && !(value > t.gt)) return false;
  if (t.gte !== undefined && !(value >= t.gte)) return false;
  if (t.lt !== undefined && !(value < t.lt)) return false;
  if (t.lte !== undefined && !(value <= t.lte)) return false;
  return true;
}
