import { resolve } from 'node:path';
import type { BacktestChart } from '../model/backtestChart.js';
import { writeFileDurably } from '../util/durableFile.js';

/**
 * Renders the chart page of the charts (the renderer is loaded only here: a run never loads it) and writes it to
 * `file` atomically, readable by a web server (0644); returns the absolute path written.
 */
export async function writeBacktestPage(file: string, charts: BacktestChart[], meta: { generatedAt: number; project: string }): Promise<string> {
  const { renderBacktestPage } = await import('../render/html/backtestPage.js');
  const path = resolve(file);
  writeFileDurably(path, renderBacktestPage(charts, meta), { mode: 0o644 });
  return path;
}
