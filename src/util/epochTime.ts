/** The latest time a JavaScript Date can hold (epoch ms): 275760-09-13. */
export const MAX_EPOCH_MS = 8.64e15;

/**
 * The latest time alertcron takes as a time (from its state or from a server): the end of the year 9999, far inside
 * the Date range (MAX_EPOCH_MS), so that adding any duration to it still gives a date that can be shown.
 */
export const MAX_TIME = 253_402_300_799_999;

/** True for a time alertcron can have written: epoch milliseconds from 1970 to the end of the year 9999. */
export function isStoredTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_TIME;
}
