import { oneLine } from '../util/text.js';

/** One thing wrong with an input file, located as precisely as we can. */
export interface Problem {
  file: string;
  line?: number;
  col?: number;
  path?: string;
  message: string;
  /** The alert file this problem makes invalid, when the problem is in another file (its query file). */
  alert?: string;
}

/** Formats a problem as `file:line:col /json/path: message`. */
export function formatProblem(problem: Problem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.col ?? 1}` : problem.file;
  // A pointer holds the user's key names: control characters and escapes are taken out, as in the message.
  const path = problem.path ? ` ${oneLine(problem.path, 200)}` : '';
  return `${where}${path}: ${problem.message}`;
}

/** Thrown when a file cannot be used at all; carries every problem found in it. */
export class ProblemsError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ProblemsError';
  }
}
