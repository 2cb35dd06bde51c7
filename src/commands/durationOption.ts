import { parseDuration } from '../util/duration.js';
import { ExitCode, UserError } from '../util/errors.js';

/** Parses a duration given on the command line (e.g. --for 30m), as a usage error when it is not one. */
export function durationOption(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UserError(`${flag} ${(error as Error).message}`, ExitCode.usage);
  }
}
