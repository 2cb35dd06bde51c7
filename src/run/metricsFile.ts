import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config/types.js';
import { promText, readSamples } from '../render/promText.js';
import { writeFileDurably } from '../util/durableFile.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { writeRefused } from '../util/writeRefused.js';
import { ProblemsError } from '../config/problems.js';
import type { StateData } from '../model/state.js';
import { openStore } from '../state/store.js';
import { CARRIED_FAMILIES, runMetrics } from './metrics.js';
import type { RunReport } from './report.js';

/** How a run ended, for its metrics: its report, or the error that stopped it; the state it left when it read one. */
export interface RunEnd {
  startedAt: number;
  durationMs: number;
  report?: RunReport;
  error?: unknown;
  data?: StateData;
}

/**
 * Writes monitoring.metrics_file for node_exporter's textfile collector: the run's metrics in the text format, through
 * a temporary file beside it (its name does not end in .prom, so the collector never reads a half file), synced and
 * renamed over it; a new file is 0644 whatever the umask (node_exporter reads it as another user). A run that could
 * not read the state repeats the state's numbers (last success first) from the file it replaces. Returns the
 * warning when it cannot be written (the run's exit code stays what the run earned).
 */
export async function writeRunMetrics(config: Config, end: RunEnd): Promise<string | undefined> {
  const file = config.monitoring.metrics_file;
  if (!file) return undefined;
  // A run stopped before it read the state (the lock held by a hung run): the file state read without the lock still
  // gives the last success and the pending deliveries, so "no success for N minutes" keeps firing while it lasts.
  const data = end.data ?? (config.state.backend === 'file' ? await peekQuietly(config) : undefined);
  // Still none (the cluster's lock held or the cluster unreachable, a file state unreadable): the file being replaced
  // has the last success and the other state numbers of the last run that read the state; they stay as they were.
  const carried = data ? undefined : readSamples(readQuietly(file), CARRIED_FAMILIES);
  const sources = Object.keys(config.sources).filter((name) => config.sources[name] !== undefined);
  const stateBytes = config.state.backend === 'file' ? stateFileBytes(config.state.file) : undefined;
  const exitCode = end.report ? end.report.exitCode : exitCodeOfError(end.error);
  const text = promText(runMetrics({ startedAt: end.startedAt, durationMs: end.durationMs, exitCode, sources, ...(end.report ? { report: end.report } : {}), ...(data ? { data } : {}), ...(carried ? { carried } : {}), ...(stateBytes === undefined ? {} : { stateBytes }) }));
  try {
    writeFileDurably(file, text, { mode: 0o644, exactMode: true });
    return undefined;
  } catch (error) {
    return `monitoring.metrics_file ${file} could not be written (${errorMessage(error)}): create its folder, or let the user alertcron runs as write there (the run itself is not affected)`;
  }
}

/** A file's text, or nothing when it cannot be read (never written yet). */
function readQuietly(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The file state read without its lock, or undefined when it cannot be read. */
async function peekQuietly(config: Config): Promise<StateData | undefined> {
  try {
    return (await (await openStore(config.state)).peek()).data;
  } catch {
    return undefined;
  }
}

/** The exit code the command line gives for an error that stopped a run (as cli.ts maps it). */
function exitCodeOfError(error: unknown): number {
  if (error instanceof ProblemsError) return ExitCode.invalidConfig;
  if (error instanceof UserError) return error.exitCode;
  return writeRefused(error)?.exitCode ?? ExitCode.internal;
}

/**
 * The bytes of a file-backend state: state.json and the files named after it beside it (key files, journal, fence,
 * lock) and its receipts folder; temporary files of a write in progress are not counted. One folder listing, no reads.
 */
export function stateFileBytes(stateFile: string): number | undefined {
  const folder = dirname(stateFile);
  const prefix = `${basename(stateFile)}.`;
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name === basename(stateFile) || (name.startsWith(prefix) && !name.includes('.tmp-')));
  } catch {
    return undefined;
  }
  let bytes = 0;
  for (const name of names) bytes += sizeOf(join(folder, name));
  return bytes;
}

/** A file's size, or the sizes of the files in a folder (one level); 0 for what vanished meanwhile. */
function sizeOf(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf1(join(path, name)), 0);
  } catch {
    return 0;
  }
}

/** A plain file's size, 0 for anything else or what vanished. */
function sizeOf1(path: string): number {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : 0;
  } catch {
    return 0;
  }
}
