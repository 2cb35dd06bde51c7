// Runs the CLI under a real pseudo-terminal, as a person at a shell meets it: util-linux's `script` (in Debian's
// essential bsdutils package) gives the command a terminal for stdin, stdout and stderr, and copies what the
// terminal showed to its own stdout.
import { spawn } from 'node:child_process';
import { BIN } from './project.js';

/** What a command under a terminal showed (stdout and stderr, as the terminal got them) and how it exited. */
export interface TerminalResult {
  code: number | null;
  /** Everything the terminal showed, carriage returns and escape sequences included. */
  screen: string;
}

/** Where the command's output goes: the terminal (default), or a file of the project (a redirection). */
export interface TerminalOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Redirect stdout to this file (`> file`): the terminal then has stderr only. */
  stdoutTo?: string;
  /** Redirect stderr to this file (`2> file`). */
  stderrTo?: string;
  /** The terminal's width (default 400: wide enough for any path a checkout can have; a narrower one cuts the progress line). */
  columns?: number;
}

/** A word quoted for sh. */
export function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs `alertcron <args>` with a terminal for its streams (the ones not redirected), through `script -qec`. */
export function runInTerminal(args: string[], options: TerminalOptions): Promise<TerminalResult> {
  const redirect = `${options.stdoutTo ? ` > ${shellWord(options.stdoutTo)}` : ''}${options.stderrTo ? ` 2> ${shellWord(options.stderrTo)}` : ''}`;
  // `script` gives the terminal the size of its own (none here: 80 columns); the width is set as a user's terminal has it.
  const command = `stty cols ${options.columns ?? 400} rows 50; ` + [process.execPath, BIN, ...args].map(shellWord).join(' ') + redirect;
  const env = { PATH: process.env.PATH ?? '', TERM: 'xterm', NODE_ENV: 'test', ...options.env };
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout!.on('data', (d) => (screen += d));
  child.stderr!.on('data', (d) => (screen += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}
