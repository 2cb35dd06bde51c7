import { setFlagsFromString } from 'node:v8';

/**
 * The most alerts a project may have for its run to keep the young generation small. Measured on the bench (restored
 * quiet minute, e01c1c6): at 10,000 alerts peak RSS -20 MB (160 -> 140 MB) for +2-4% CPU; at 20,000 neutral (within
 * the noise); at 100,000 CPU +20-45% (8.6 -> 12.6 s, 135 -> 1,212 scavenges) for a memory saving the bench's time
 * target cannot afford. Above this bound V8 grows the young generation as it would anyway.
 */
export const KEEP_YOUNG_UP_TO_ALERTS = 25_000;

/**
 * The fewest alerts for which it is done: a smaller project's alerts cannot grow the young generation much, and
 * loading node:v8 to set the flag (1.6 ms) would cost a small quiet run more than it saves.
 */
export const KEEP_YOUNG_FROM_ALERTS = 2_000;

/** Whether a run over about `alerts` alerts keeps its young generation at its start size. */
export function keepsYoungGeneration(alerts: number): boolean {
  return alerts >= KEEP_YOUNG_FROM_ALERTS && alerts <= KEEP_YOUNG_UP_TO_ALERTS;
}

/**
 * Keeps V8's young generation at the size it has now (1 or 2 MB per semi-space when a command starts) for the rest
 * of the process, when the project has KEEP_YOUNG_FROM_ALERTS to KEEP_YOUNG_UP_TO_ALERTS alerts; returns whether it did. Left alone,
 * V8 doubles it up to 16 MB per semi-space as soon as many objects survive a scavenge (the alerts of the parse cache,
 * a fused search's answers), and a run then holds 2 x 16 MB of new space to its end. The cost is more scavenges.
 * Node documents a flag changed by v8.setFlagsFromString after start as possibly unpredictable (a crash, lost data,
 * or no effect): this one is safe to change at run time because V8 reads it only when it grows the new space (the
 * next size is the current one times the factor, so 1 means no growth; nothing was built from its old value), and it
 * is only ever lowered (from 2 to 1, never raised back). `--max-semi-space-size` would do the same, but is read only
 * when node starts (set at run time it does nothing, measured).
 */
export function keepYoungGeneration(alerts: number): boolean {
  if (!keepsYoungGeneration(alerts)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
