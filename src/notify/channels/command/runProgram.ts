import { spawn } from 'node:child_process';

/** Most bytes of stdout kept (its first line is the receipt id); the rest is read and dropped. */
const STDOUT_KEEP = 4096;
/** Most bytes of stderr kept, from its end (its last lines go into the error); the rest is read and dropped. */
const STDERR_KEEP = 8192;
/** How long the pipes are still read after the program exited (a background child may hold them open for ever). */
const DRAIN_AFTER_EXIT_MS = 200;
/** How long a program killed with SIGTERM (time limit) has before its process group gets SIGKILL. */
const KILL_GRACE_MS = 1000;

/** What one run of the program came to: its exit (code or signal), whether the time limit ended it, and what it wrote. */
export interface ProgramResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What ended it before it exited on its own, its process group killed: its time limit, or the caller's signal. */
  stoppedBy?: 'timeout' | 'signal';
  /** The start of what it wrote on stdout (at most 4 KB). */
  stdout: string;
  /** The end of what it wrote on stderr (at most 8 KB; a first line cut in the middle is left out). */
  stderr: string;
}

/** The program could not be started at all (not found, not executable): the system's error code and message. */
export class ProgramNotStarted extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProgramNotStarted';
  }
}

/**
 * Runs argv without a shell in a process group of its own, writes `input` to its stdin, and resolves once it exited:
 * killed with its whole group (SIGTERM, then SIGKILL) when `timeoutMs` passes or `signal` aborts. Memory stays
 * bounded whatever it writes, a program that never reads its stdin is no error, and a background child that keeps
 * the pipes open cannot hold the caller: the pipes are read for a moment after the program exited, then closed.
 */
export function runProgram(argv: readonly string[], input: string, env: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ProgramNotStarted('ABORT_ERR', 'not started: the delivery was cut short'));
    const child = spawn(argv[0]!, argv.slice(1), { shell: false, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env, windowsHide: true });
    let stdout = Buffer.alloc(0);
    let stderr = Buffer.alloc(0);
    let stderrCut = false;
    let stoppedBy: ProgramResult['stoppedBy'];
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const killGroup = (how: NodeJS.Signals) => {
      try {
        // The negative pid is the whole process group: the program and every child it started.
        if (child.pid) process.kill(-child.pid, how);
      } catch {
        /* the group is gone already */
      }
    };
    const stop = (by: 'timeout' | 'signal') => {
      if (exited || stoppedBy) return;
      stoppedBy = by;
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS));
    };
    const finish = () => {
      if (settled || !exited) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.stdin!.destroy();
      const err = stderrCut ? stderr.subarray(stderr.indexOf(10) + 1) : stderr;
      resolve({ ...exited, ...(stoppedBy ? { stoppedBy } : {}), stdout: stdout.toString('utf8'), stderr: err.toString('utf8') });
    };

    child.stdout!.on('data', (chunk: Buffer) => {
      if (stdout.length < STDOUT_KEEP) stdout = Buffer.concat([stdout, chunk]).subarray(0, STDOUT_KEEP);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      const all = Buffer.concat([stderr, chunk]);
      if (all.length > STDERR_KEEP) stderrCut = true;
      stderr = all.length > STDERR_KEEP ? Buffer.from(all.subarray(all.length - STDERR_KEEP)) : all;
    });
    // A program that exits without reading its stdin closes the pipe: EPIPE is no failure of the send.
    child.stdin!.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      reject(new ProgramNotStarted(error.code ?? 'UNKNOWN', error.message));
    });
    child.on('exit', (code, exitSignal) => {
      exited = { code, signal: exitSignal };
      // What it wrote before it exited is still in the pipes: read it, but not for longer than a moment.
      timers.push(setTimeout(finish, DRAIN_AFTER_EXIT_MS));
    });
    child.on('close', finish);
    const aborted = () => stop('signal');
    timers.push(setTimeout(() => stop('timeout'), timeoutMs));
    signal.addEventListener('abort', aborted, { once: true });
    child.stdin!.end(input);
  });
}
