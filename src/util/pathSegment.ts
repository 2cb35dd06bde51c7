/** An id that can be one segment of a URL path as it is: letters, digits, `_`, `~`, `-` and inner dots (never `.` or `..`), at most 200 characters. */
const SAFE_SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199}$/;

/** Whether an id from a server (or a user) may be put in a URL path: `..` and `/` must never reach one. */
export function isSafeSegment(id: unknown): id is string {
  return typeof id === 'string' && SAFE_SEGMENT.test(id);
}
