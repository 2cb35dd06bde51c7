import { dirname, resolve } from 'node:path';
import type { BacktestChart } from '../model/backtestChart.js';
import { writeFileDurably } from '../util/durableFile.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { redact, redactAll } from '../util/redact.js';

/**
 * Renders the chart page of the charts (the renderer is loaded only here: a run never loads it) and writes it to
 * `file` atomically, readable by a web server (0644); returns the absolute path written. A refused write is a
 * UserError (exit code 6) naming the path and the fix. Every registered secret is blanked from what the page shows.
 */
export async function writeBacktestPage(file: string, charts: BacktestChart[], meta: { generatedAt: number; project: string }): Promise<string> {
  const { renderBacktestPage } = await import('../render/html/backtestPage.js');
  const path = resolve(file);
  // As printJson does: no registered secret reaches the page (a source's error may hold its URL, a query a value).
  const page = renderBacktestPage(redactAll(charts), { ...meta, project: redact(meta.project) });
  try {
    writeFileDurably(path, page, { mode: 0o644 });
  } catch (error) {
    // The folder was checked before the replay; it may have gone or been filled since: said as a user's problem, not an internal error.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    throw new UserError(`cannot write the chart page ${path}: ${errorMessage(error)}; nothing was written. Fix: make sure ${dirname(path)} exists, is writable and has space, then run the backtest again`, ExitCode.cannotWrite);
  }
  return path;
}
