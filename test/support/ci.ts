// Whether the tests run in CI, where a missing browser or promtool fails instead of skipping.

/** Whether `CI` says this is CI: set to anything but empty, `false` or `0` (any case), as CI services set it to `true`. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== 'false' && value !== '0';
}
