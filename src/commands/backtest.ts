import { loadProject } from '../config/loadProject.js';
import { backtestAlert, type BacktestNotice, type BacktestResult } from '../run/backtest.js';
import { clockFromEnv } from '../util/clock.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { formatProblem } from '../config/problems.js';
import { printJson } from './printReport.js';
import { startProgress } from '../util/progress.js';

/** Options of `alertcron test <alert> --backtest <span>`. */
export interface BacktestCommandOptions {
  config: string;
  backtest: string;
  json?: boolean;
  chunk?: string;
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
}

/** Keys listed by name; the rest are counted in one line. */
const KEYS_SHOWN = 20;
/** Hours listed as the busiest. */
const HOURS_SHOWN = 5;
/** Bucket widths the histogram chooses from, so that a span fits in about 24 rows. */
const BUCKET_WIDTHS = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080].map((m) => m * 60_000);
/** Width of the longest bar. */
const BAR_WIDTH = 40;

/** `alertcron test <alert> --backtest 7d`: replays the alert over the past span and says what it would have sent. */
export async function backtestCommand(name: string, options: BacktestCommandOptions): Promise<number> {
  let spanMs: number;
  try {
    spanMs = parseDuration(options.backtest);
  } catch (error) {
    throw new UserError(`--backtest ${options.backtest}: ${errorMessage(error)}`, ExitCode.usage);
  }
  const chunk = options.chunk === undefined ? undefined : Number(options.chunk);
  if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1 || chunk > 10_000)) throw new UserError(`--chunk ${options.chunk}: give a whole number of searches per request, 1 to 10000`, ExitCode.usage);
  const now = clockFromEnv()();
  const { config, loaded } = await loadProject(options.config);
  const alert = loaded.alerts.find((a) => a.name === name);
  if (!alert) {
    for (const problem of loaded.problems) console.error(redact(formatProblem(problem)));
    const known = loaded.alerts.map((a) => a.name).join(', ');
    throw new UserError(`no alert named ${name} could be loaded${known ? ` (alerts: ${known})` : ''}`, ExitCode.invalidConfig);
  }
  if (spanMs < alert.every) throw new UserError(`--backtest ${options.backtest} is shorter than the alert's every (${formatDuration(alert.every)}): replay at least one run`, ExitCode.usage);
  let result: BacktestResult;
  const progress = startProgress({ json: options.json });
  try {
    progress.phase(`backtest ${name}`, undefined, 'steps');
    result = await backtestAlert(config, alert, { spanMs, now, chunk, onStep: (done, total) => progress.update(done, total) });
  } catch (error) {
    throw new UserError(errorMessage(error), ExitCode.sourceFailed);
  } finally {
    progress.end();
  }
  const summary = summarise(result);
  if (options.json) printJson(summary);
  else printSummary(summary);
  for (const error of result.errors) console.error(redact(`alert ${name}: step ${error}`));
  if (result.failedSteps) console.error(`alert ${name}: ${result.failedSteps} of ${result.steps} steps failed and were not replayed; the counts above leave them out`);
  return result.failedSteps ? ExitCode.sourceFailed : ExitCode.ok;
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
