import { loadProject } from '../config/loadProject.js';
import { backtestAlert, type BacktestNotice, type BacktestResult } from '../run/backtest.js';
import { clockFromEnv } from '../util/clock.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { printJson } from './printReport.js';
import { startProgress } from '../util/progress.js';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { BacktestChart } from '../model/backtestChart.js';
import { sourceDefinition } from '../sources/registry.js';
import { backtestTargets } from './backtestTargets.js';
import { writeBacktestPage } from './backtestPage.js';

/** Options of `alertcron test <alert...> --backtest <span>`. */
export interface BacktestCommandOptions {
  config: string;
  backtest: string;
  json?: boolean;
  chunk?: string;
  /** Write the chart page of the replayed alerts to this file. */
  html?: string;
}

/** A summary of a backtest, for people and for `--json`. */
export interface BacktestSummary {
  alert: string;
  from: string;
  to: string;
  every: string;
  steps: number;
  requests: number;
  notices: number;
  byReason: Record<string, number>;
  byKey: { key: string; notices: number; first: string; last: string }[];
  busiestHours: { hour: string; notices: number }[];
  histogram: { from: string; notices: number }[];
  /** Every notice, in order: the run's time, the key, the reason (first, repeat, resolved, tier-N ...). */
  sent: { at: string; key: string; reason: string }[];
  /** Every finding of every run before throttle and escalation (a key that matched in a run), in order. */
  findings: { at: string; key: string }[];
  failedSteps: number;
  errors: string[];
  /** What the chart page draws of this alert (with --html only). */
  chart?: BacktestChart;
}

/** Keys listed by name; the rest are counted in one line. */
const KEYS_SHOWN = 20;
/** Hours listed as the busiest. */
const HOURS_SHOWN = 5;
/** Bucket widths the histogram chooses from, so that a span fits in about 24 rows. */
const BUCKET_WIDTHS = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080].map((m) => m * 60_000);
/** Width of the longest bar. */
const BAR_WIDTH = 40;

/**
 * `alertcron test <alert...> --backtest 7d [--html page.html]`: replays each alert (named, or every alert file of a
 * folder) over the past span, one after another, and says what each would have sent; with --html, one chart page
 * for all of them. One alert's --json is its summary; several alerts' is an array of them.
 */
export async function backtestCommand(names: readonly string[], options: BacktestCommandOptions): Promise<number> {
  let spanMs: number;
  try {
    spanMs = parseDuration(options.backtest);
  } catch (error) {
    throw new UserError(`--backtest ${options.backtest}: ${errorMessage(error)}`, ExitCode.usage);
  }
  const chunk = options.chunk === undefined ? undefined : Number(options.chunk);
  if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1 || chunk > 10_000)) throw new UserError(`--chunk ${options.chunk}: give a whole number of searches per request, 1 to 10000`, ExitCode.usage);
  const html = options.html === undefined ? undefined : htmlTarget(options.html);
  const now = clockFromEnv()();
  const { config, loaded } = await loadProject(options.config);
  const targets = backtestTargets(names, config, loaded);
  for (const { alert } of targets) {
    if (spanMs < alert.every) throw new UserError(`--backtest ${options.backtest} is shorter than alert ${alert.name}'s every (${formatDuration(alert.every)}): replay at least one run`, ExitCode.usage);
  }
  const single = targets.length === 1 && targets[0]!.named && names.length === 1;
  const summaries: BacktestSummary[] = [];
  const charts: BacktestChart[] = [];
  let code: number = ExitCode.ok;
  const progress = startProgress({ json: options.json });
  for (const [k, { alert, named }] of targets.entries()) {
    if (!named && !sourceDefinition(alert.source)?.windowed) {
      console.error(`alert ${alert.name} reads a current queue (${alert.source}), not a time window of past events: not replayed`);
      continue;
    }
    let result: BacktestResult;
    progress.phase(`backtest ${alert.name}${targets.length > 1 ? ` (alert ${k + 1} of ${targets.length})` : ''}`, undefined, 'steps');
    try {
      result = await backtestAlert(config, alert, { spanMs, now, chunk, chart: html !== undefined, onStep: (done, total) => progress.update(done, total) });
    } catch (error) {
      if (single) {
        progress.end();
        throw new UserError(errorMessage(error), ExitCode.sourceFailed);
      }
      console.error(redact(`alert ${alert.name}: ${errorMessage(error)}`));
      code = ExitCode.sourceFailed;
      continue;
    }
    const summary = summarise(result);
    summaries.push(result.chart ? { ...summary, chart: result.chart } : summary);
    if (result.chart) charts.push(result.chart);
    if (!options.json) {
      if (summaries.length > 1) console.log('');
      printSummary(summary);
    }
    for (const error of result.errors) console.error(redact(`alert ${alert.name}: step ${error}`));
    if (result.failedSteps) {
      console.error(`alert ${alert.name}: ${result.failedSteps} of ${result.steps} steps failed and were not replayed; the counts above leave them out`);
      code = ExitCode.sourceFailed;
    }
  }
  progress.end();
  if (options.json) printJson(single ? summaries[0] : summaries);
  if (html !== undefined) {
    const written = await writeBacktestPage(html, charts, { generatedAt: now, project: basename(config.dir) });
    (options.json ? console.error : console.log)(`backtest charts of ${charts.length} alert(s) written to ${written}`);
  }
  return code;
}

/**
 * The --html file's absolute path: it must end in .html (a typo would otherwise write over another file), and its
 * folder must exist and be writable, checked before the replay (which can take minutes) rather than after it.
 */
function htmlTarget(file: string): string {
  if (!/\.html?$/i.test(file)) throw new UserError(`--html ${file}: name an .html file to write the chart page to`, ExitCode.usage);
  const path = resolve(file);
  const folder = dirname(path);
  const stat = statSync(folder, { throwIfNoEntry: false });
  if (!stat) throw new UserError(`--html ${file}: the folder ${folder} does not exist; create it (mkdir -p ${folder}) or name a file in an existing folder`, ExitCode.usage);
  if (!stat.isDirectory()) throw new UserError(`--html ${file}: ${folder} is a file, not a folder; name a file in a folder`, ExitCode.usage);
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new UserError(`--html ${file}: ${path} is a folder; name a file to write the chart page to`, ExitCode.usage);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new UserError(`--html ${file}: the folder ${folder} is not writable (${(error as { code?: string }).code ?? errorMessage(error)}); make it writable by this user or name a file in a folder that is`, ExitCode.usage);
  }
  return path;
}

/** Counts a backtest's notices per reason, per key, per hour and per histogram bucket. */
export function summarise(result: BacktestResult): BacktestSummary {
  const iso = (ms: number) => new Date(ms).toISOString();
  const byReason: Record<string, number> = {};
  const keys = new Map<string, { notices: number; first: number; last: number }>();
  const hours = new Map<number, number>();
  for (const n of result.notices) {
    byReason[n.reason] = (byReason[n.reason] ?? 0) + 1;
    const key = keys.get(n.key) ?? { notices: 0, first: n.at, last: n.at };
    key.notices++;
    key.last = n.at;
    keys.set(n.key, key);
    const hour = Math.floor(n.at / 3_600_000) * 3_600_000;
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
  }
  const byKey = [...keys].sort((a, b) => b[1].notices - a[1].notices || (a[0] < b[0] ? -1 : 1)).map(([key, k]) => ({ key, notices: k.notices, first: iso(k.first), last: iso(k.last) }));
  const busiestHours = [...hours].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, HOURS_SHOWN).map(([hour, notices]) => ({ hour: iso(hour), notices }));
  return {
    alert: result.alert,
    from: iso(result.span.from),
    to: iso(result.span.to),
    every: formatDuration(result.every),
    steps: result.steps,
    requests: result.requests,
    notices: result.notices.length,
    byReason,
    byKey,
    busiestHours,
    histogram: histogram(result.notices, result.span.from, result.span.to),
    sent: result.notices.map((n) => ({ at: iso(n.at), key: n.key, reason: n.reason })),
    findings: result.findings.map((f) => ({ at: iso(f.at), key: f.key })),
    failedSteps: result.failedSteps,
    errors: result.errors,
  };
}

/** Notices per bucket of time over the span, the bucket width chosen so the span fits in about 24 rows. */
function histogram(notices: readonly BacktestNotice[], from: number, to: number): { from: string; notices: number }[] {
  const width = BUCKET_WIDTHS.find((w) => (to - from) / w <= 28) ?? BUCKET_WIDTHS[BUCKET_WIDTHS.length - 1]!;
  const start = Math.floor(from / width) * width;
  const counts = new Array<number>(Math.max(1, Math.ceil((to - start) / width))).fill(0);
  for (const n of notices) {
    // A notice is sent by the run at its window's end (plus ingest_delay): it may fall just past the span.
    const i = Math.min(counts.length - 1, Math.floor((n.at - start) / width));
    counts[i]!++;
  }
  return counts.map((count, i) => ({ from: new Date(start + i * width).toISOString(), notices: count }));
}

/** Prints a backtest's summary for people: totals, keys, busiest hours and a histogram of bars. */
function printSummary(s: BacktestSummary): void {
  const log = (line: string) => console.log(redact(line));
  log(`backtest of ${s.alert}: ${s.steps} runs (every ${s.every}) from ${s.from} to ${s.to}, ${s.requests} request(s) to the cluster`);
  const reasons = Object.entries(s.byReason).map(([reason, count]) => `${count} ${reason}`).join(', ');
  log(`${s.notices} notice(s) would have been sent${reasons ? ` (${reasons})` : ''}, to ${s.byKey.length} key(s)`);
  if (!s.notices) {
    log('(nothing would have been sent: loosen the condition if that is not what you expect)');
    return;
  }
  log('');
  log('per key:');
  for (const k of s.byKey.slice(0, KEYS_SHOWN)) log(`  ${String(k.notices).padStart(6)}  ${JSON.stringify(k.key)}  (first ${k.first}, last ${k.last})`);
  if (s.byKey.length > KEYS_SHOWN) log(`  ... and ${s.byKey.length - KEYS_SHOWN} more key(s) with ${s.byKey.slice(KEYS_SHOWN).reduce((sum, k) => sum + k.notices, 0)} notice(s)`);
  log('');
  log('busiest hours (UTC):');
  for (const h of s.busiestHours) log(`  ${h.hour.slice(0, 13)}:00  ${h.notices}`);
  log('');
  log('notices over time:');
  const most = Math.max(...s.histogram.map((b) => b.notices), 1);
  for (const b of s.histogram) {
    const bar = b.notices ? '#'.repeat(Math.max(1, Math.round((b.notices / most) * BAR_WIDTH))) : '';
    log(`  ${b.from.slice(0, 16).replace('T', ' ')}  ${bar}${b.notices ? ` ${b.notices}` : ''}`);
  }
  log('');
  log('(replayed with an empty state: nothing sent, state untouched; silences and acknowledgements are not replayed)');
}
