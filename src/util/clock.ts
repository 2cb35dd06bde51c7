/**
 * The run's clock: real time, or, when ALERTCRON_NOW holds an ISO time (for rehearsals and tests),
 * that fixed instant for the whole run.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): () => number {
  const fixed = env.ALERTCRON_NOW ? Date.parse(env.ALERTCRON_NOW) : NaN;
  if (Number.isNaN(fixed)) return Date.now;
  return () => fixed;
}

/** Added to the real clock by leases, claims and heartbeats (ALERTCRON_CLOCK_OFFSET_MS, read once): lets tests run hosts whose clocks differ. */
const CLOCK_OFFSET_MS = Number(process.env.ALERTCRON_CLOCK_OFFSET_MS) || 0;

/** This host's real clock as leases, claims and heartbeats read it (epoch ms): Date.now() plus the test offset, if any. */
export function leaseNow(): number {
  return Date.now() + CLOCK_OFFSET_MS;
}
