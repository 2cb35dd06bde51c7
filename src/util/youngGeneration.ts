import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at the size it has now (1 or 2 MB per semi-space when a command starts) for the rest
 * of the process. Left alone, V8 doubles it up to 16 MB per semi-space as soon as many objects survive a scavenge
 * (the alerts of the parse cache, a fused search's answers), and a run then holds 2 x 16 MB of new space to its end.
 * V8 reads the flag each time it would grow the new space (a growth factor of 1 makes no growth);
 * `--max-semi-space-size` would do the same, but is read only when node starts. The cost is more scavenges.
 */
export function keepYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
