// Stands in for node:assert in the start-up bundle, for signal-exit only (src/buildBundle.ts): proper-lockfile's
// signal-exit loads node:assert (about 2 ms of every run's start) to call assert.equal on its callback's type.

/** assert.equal as signal-exit calls it: throws an AssertionError-like error with the message when the values differ. */
export function equal(actual: unknown, expected: unknown, message?: string): void {
  // eslint-disable-next-line eqeqeq -- node's assert.equal compares with ==
  if (actual != expected) throw Object.assign(new Error(message ?? `${String(actual)} == ${String(expected)}`), { name: 'AssertionError', code: 'ERR_ASSERTION', actual, expected, operator: '==' });
}
