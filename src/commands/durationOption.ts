import { durationFix, parseDuration } from '../util/duration.js';
import { ExitCode, UserError } from '../util/errors.js';

/** Parses a duration given on the command line (e.g. --for 30m), as a usage error when it is not one or is zero. */
export function durationOption(flag: string, text: string): number {
  let duration: number;
  try {
    duration = parseDuration(text);
  } catch (error) {
    throw new UserError(`${flag} ${(error as Error).message}`, ExitCode.usage);
  }
  if (duration <= 0) throw new UserError(`${flag} ${text}: give a duration longer than zero, e.g. 30m`, ExitCode.usage);
  return duration;
}

/** The command-line options whose value is a duration (for test's --from and --to, may be one). */
const DURATION_FLAGS = new Set(['--for', '--backtest', '--from', '--to']);

/**
 * Refuses a duration written as two words on the command line (`--for 5 min`, which the parser would report as an
 * extra argument) with the one word to write instead.
 */
export function refuseSplitDurations(argv: readonly string[]): void {
  for (let i = 0; i + 2 < argv.length; i++) {
    if (!DURATION_FLAGS.has(argv[i]!) || !/^\d+$/.test(argv[i + 1]!)) continue;
    const written = `${argv[i + 1]} ${argv[i + 2]}`;
    const fix = durationFix(written);
    if (fix) throw new UserError(`${argv[i]} ${written}: a duration is one word, ${fix}`, ExitCode.usage);
  }
}
