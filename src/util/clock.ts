/**
 * The run's clock: real time, or, when ALERTCRON_NOW holds an ISO time (for rehearsals and tests),
 * that fixed instant for the whole run.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): () => number {
  const fixed = env.ALERTCRON_NOW ? Date.parse(env.ALERTCRON_NOW) : NaN;
  if (Number.isNaN(fixed)) return Date.now;
  return () => fixed;
}
