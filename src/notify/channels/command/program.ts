import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/** What is wrong with the program a command names, as written: a relative path (run from which folder?). */
export function programNameProblem(program: string): string | undefined {
  if (isAbsolute(program) || !program.includes('/')) return undefined;
  return `command[0] "${program}" is a relative path, which would depend on the folder cron starts alertcron in: write it absolute (/usr/local/bin/page-oncall), or give a program name that is looked up in PATH`;
}

/** What is wrong with an absolute program on this host: missing, not a file, or not executable; undefined when it can run (or is looked up in PATH). */
export function programHostProblem(program: string): string | undefined {
  if (!isAbsolute(program)) return undefined;
  let isFile: boolean;
  try {
    isFile = statSync(program).isFile();
  } catch {
    return `the program ${program} does not exist on this host: install it there, or fix the path`;
  }
  if (!isFile) return `the program ${program} is not a file`;
  try {
    accessSync(program, constants.X_OK);
  } catch {
    return `the program ${program} is not executable by this user: chmod +x ${program}`;
  }
  return undefined;
}
