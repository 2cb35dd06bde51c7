import type { Notification, Notifier } from '../../types.js';
import { DeliveryError } from '../../types.js';
import { redact } from '../../../util/redact.js';
import { oneLine } from '../../../util/text.js';
import { formatDuration } from '../../../util/duration.js';
import { ProgramNotStarted, runProgram, type ProgramResult } from './runProgram.js';
import { stdinOf } from './stdin.js';
import type { CommandChannelConfig } from './types.js';

/** The exit status that asks for the notice again in a later run (sysexits EX_TEMPFAIL). */
export const EXIT_TEMPFAIL = 75;
/** Most characters of the program's stderr an error quotes (its last lines). */
const STDERR_QUOTE = 500;
/** Most characters of the receipt id (stdout's first line). */
const RECEIPT_MAX = 200;

/** The program's environment: PATH, HOME and LANG of alertcron's own (nothing else of it: no secret), and the channel's env. */
export function programEnv(config: CommandChannelConfig, own: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const base: Record<string, string> = { PATH: own.PATH || '/usr/local/bin:/usr/bin:/bin', LANG: own.LANG || 'C.UTF-8' };
  if (own.HOME) base.HOME = own.HOME;
  return { ...base, ...config.env };
}

/** Runs the channel's program once per notice: exit 0 accepted (stdout's first line is the receipt id), 75, a signal or the time limit retried next run, other codes refused. */
export async function createCommandNotifier(name: string, config: CommandChannelConfig): Promise<Notifier> {
  const program = config.command[0]!;
  const env = programEnv(config);
  return {
    name,
    async send(notification: Notification, signal) {
      let result: ProgramResult;
      try {
        result = await runProgram(config.command, stdinOf(notification, config.stdin, Date.now()), env, config.timeout, signal);
      } catch (error) {
        throw notStarted(program, error);
      }
      const said = stderrTail(result.stderr);
      if (result.stoppedBy) {
        const limit = result.stoppedBy === 'timeout' ? `within its timeout, ${formatDuration(config.timeout)}` : 'within delivery.attempt_timeout (or before the run\'s deadline)';
        throw new DeliveryError(`the command ${program} did not finish ${limit}: its process group was killed; retried next run${said}`, true, undefined, true);
      }
      if (result.signal) throw new DeliveryError(`the command ${program} was killed by ${result.signal}: retried next run${said}`, true, undefined, true);
      if (result.code === EXIT_TEMPFAIL) throw new DeliveryError(`the command ${program} exited with 75 (try again later): retried next run${said}`, true, undefined, true);
      if (result.code !== 0) throw new DeliveryError(`the command ${program} exited with ${result.code} (refused: only 0 delivers, 75 asks to retry)${said}`, false);
      const id = oneLine(redact(result.stdout.split('\n', 1)[0] ?? ''), RECEIPT_MAX);
      return id ? { id } : undefined;
    },
  };
}

/** A program that could not be started: named, with why (it stays pending, as a channel with an unset secret does). */
function notStarted(program: string, error: unknown): DeliveryError {
  const code = error instanceof ProgramNotStarted ? error.code : '';
  const why = code === 'ENOENT' ? 'not found (give an absolute path, or install it in the PATH of the cron job)' : code === 'EACCES' ? 'not executable (chmod +x, or a folder on its path is not searchable)' : oneLine(error instanceof Error ? error.message : String(error), 200);
  return new DeliveryError(`cannot run the command ${program}: ${why}`, true, undefined, true);
}

/** The last lines of what the program wrote on stderr, secrets redacted, cut from the front, as `: stderr: ...`; empty when it wrote nothing. */
export function stderrTail(stderr: string): string {
  // Redacted whole before any cut, so that a cut cannot leave part of a secret.
  const lines = redact(stderr).split('\n').map((line) => oneLine(line)).filter(Boolean);
  if (!lines.length) return '';
  const tail = lines.slice(-5).join(' | ');
  const cut = tail.length > STDERR_QUOTE ? `…${cutFromFront(tail, STDERR_QUOTE - 1)}` : tail;
  return `: stderr: ${cut}`;
}

/** The last `max` UTF-16 units of a text, never starting inside a surrogate pair. */
function cutFromFront(text: string, max: number): string {
  let start = text.length - max;
  const first = text.charCodeAt(start);
  if (first >= 0xdc00 && first <= 0xdfff) start++;
  return text.slice(start);
}
