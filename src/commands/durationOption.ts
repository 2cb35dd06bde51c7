import { parseDuration } from '../util/duration.js';
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
