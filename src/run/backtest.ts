import type { Config, AlertDef } from '../config/types.js';
import { emptyState, type StateData } from '../model/state.js';
import type { Window } from '../model/window.js';
import { sourceDefinition } from '../sources/registry.js';
import { meetsThreshold } from '../rules/threshold.js';
import { ruleTypeOf } from '../rules/registry.js';
import type { ConditionDef, RuleAlert } from '../rules/types.js';
import type { FetchOutcome, PlannedRequest, Source } from '../sources/types.js';
import { pruneState } from '../state/prune.js';
import { stampDelivered } from '../state/delivered.js';
import { resolveSettingOf } from '../notify/channels/sendResolved.js';
import { decideStage } from './decideStage.js';
import { digestStage } from './digest.js';
import { evaluateStage, type Evaluated } from './evaluate.js';
import { regularWindow } from './plan.js';
import { ChartCollector } from './backtestChart.js';
import type { BacktestChart } from '../model/backtestChart.js';

/** One notice a backtest found the alert would have sent (on one or more channels). */
export interface BacktestNotice {
  /** When the run that sends it would have happened (its window's end plus ingest_delay), epoch ms. */
  at: number;
  key: string;
  /** first, repeat, resolved, tier-N, or the summary key's reason. */
  reason: string;
  title: string;
  channels: string[];
}

/** What replaying an alert over a past span gave: its notices, the runs replayed, the requests made and the failed steps. */
export interface BacktestResult {
  alert: string;
  span: Window;
  every: number;
  steps: number;
  /** HTTP requests made to the source. */
  requests: number;
  notices: BacktestNotice[];
  /** Every finding of every step before throttle, silences and escalation: when (the run's time, epoch ms) and which key. */
  findings: { at: number; key: string }[];
  /** Runs whose search or evaluation failed, with the first errors (their spans are not replayed). */
  failedSteps: number;
  errors: string[];
  /** What a chart of the backtest draws (only when asked for with `chart`). */
  chart?: BacktestChart;
}

/** How a backtest is asked to run. */
export interface BacktestOptions {
  /** How far back to replay, ms. */
  spanMs: number;
  /** The time the backtest runs at (the last step ends at now − ingest_delay). */
  now: number;
  /** Searches per _msearch request (default: the larger of the configured msearch_chunk and 1,000). */
  chunk?: number;
  /** Collect what a chart draws (values per step, held findings, failed steps, the query) into `result.chart`. */
  chart?: boolean;
  /** Called after each step replayed (progress). */
  onStep?: (done: number, total: number) => void;
}

/** The replay's default searches per `_msearch` request: steps are small and run one after another, so bigger is cheaper. */
export const BACKTEST_CHUNK = 1000;
/** Most errors kept in a result (the count of failed steps is exact). */
const ERRORS_KEPT = 5;

/**
 * The runs an alert would have made over [now − span, now − ingest_delay]: one window per `every`, each its
 * resumed window, or its trailing `lookback` for an alert that has one.
 */
export function backtestWindows(alert: AlertDef, spanMs: number, now: number): Window[] {
  const end = now - alert.ingest_delay;
  const steps = Math.max(1, Math.ceil(spanMs / alert.every));
  const start = end - steps * alert.every;
  const windows: Window[] = [];
  for (let i = 0; i < steps; i++) {
    const to = start + (i + 1) * alert.every;
    windows.push(regularWindow(alert, to));
  }
  return windows;
}

/**
 * Replays one alert over a past span in its own schedule steps, as consecutive runs would have, with a state of
 * its own that starts empty: each step's response goes through the alert's rule type (its rule state carried
 * from step to step), then through the same decide stage as a run (throttle, escalation, max_findings summary,
 * resolution), and the notices it would queue are collected. It reads no state file, writes nothing and sends
 * nothing; silences and acknowledgements are not replayed. The steps' searches go out in `_msearch` requests of
 * `chunk` searches, evaluated in order one request at a time; for rule types that find nothing without events
 * (any, count from 1, blacklist, whitelist, new_term, frequency), one date histogram over the span first tells
 * which steps have events in the range that matters, and only those are searched.
 */
export async function backtestAlert(config: Config, alert: AlertDef, options: BacktestOptions): Promise<BacktestResult> {
  const definition = sourceDefinition(alert.source);
  if (!definition?.windowed) throw new Error(`alert ${alert.name} reads a current queue (${alert.source}), not a time window of past events: there is nothing to replay`);
  const section = config.sources[alert.source];
  if (section === undefined) throw new Error(`alertcron.yaml has no ${alert.source}: section`);
  const configuredChunk = (section as { msearch_chunk?: number }).msearch_chunk ?? 0;
  const chunk = options.chunk ?? Math.max(configuredChunk, BACKTEST_CHUNK);
  const source = (await definition.load({ ...(section as object), msearch_chunk: chunk })) as Source<AlertDef>;
  const sources = new Map<string, Source>([[alert.source, source as Source]]);
  const windows = backtestWindows(alert, options.spanMs, options.now);
  const data: StateData = emptyState();
  const result: BacktestResult = {
    alert: alert.name,
    span: { from: windows[0]!.to - alert.every, to: windows[windows.length - 1]!.to },
    every: alert.every,
    steps: windows.length,
    requests: 0,
    notices: [],
    findings: [],
    failedSteps: 0,
    errors: [],
  };
  const defined = new Set([alert.name]);
  // Steps that need a search: all, or, for rule types an empty window leaves without findings or state, only
  // those with events (found by one date histogram over the whole span).
  const busy = await stepsWithEvents(source, alert, windows, options.now, result);
  const todo = windows.map((_, i) => i).filter((i) => busy === undefined || busy[i]);
  const outcomes = new Map<number, FetchOutcome>();
  const chart = options.chart ? new ChartCollector(alert, windows.length) : undefined;
  let next = 0;
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i]!;
    const plan: PlannedRequest<AlertDef> = source.plan(alert, window);
    const runAt = window.to + alert.ingest_delay;
    let evaluated: Evaluated[];
    if (busy && !busy[i]) {
      evaluated = [{ alert, window, request: plan.request, ok: true, findings: [] }];
      chart?.skipped(i, plan.request);
    } else {
      if (!outcomes.has(i)) {
        const batch = todo.slice(next, next + chunk);
        next += batch.length;
        const fetched = await source.fetch(batch.map((j) => source.plan(alert, windows[j]!)), options.now);
        result.requests += fetched.calls;
        batch.forEach((j, k) => outcomes.set(j, fetched.outcomes[k] ?? { ok: false, error: 'no answer for this step' }));
      }
      const outcome = outcomes.get(i)!;
      outcomes.delete(i);
      evaluated = await evaluateStage([{ plan, outcome }], (name) => data.alerts[name]?.rule, { problems: false });
      chart?.evaluated(i, evaluated);
    }
    for (const e of evaluated) if (e.ok) for (const f of e.findings) result.findings.push({ at: runAt, key: f.key });
    // Digests due by the cron run before this step went with the runs between (runs are every minute); those due
    // by this step's run go after its findings are collected, as a run collects and then sends.
    const noticed = result.notices.length;
    result.notices.push(...digestNotices(alert, data, Math.ceil(runAt / MINUTE) * MINUTE - MINUTE));
    const decided = decideStage(evaluated, data, sources, runAt, { fixedWindow: false, includeRequests: false, maxFindings: config.run.max_findings, resolveSetting: resolveSettingOf(config.channels) });
    const report = decided.alerts[0];
    if (report?.status === 'error') {
      result.failedSteps++;
      if (result.errors.length < ERRORS_KEPT) result.errors.push(`${new Date(window.from).toISOString()}: ${report.error}`);
    }
    result.notices.push(...noticesOf(decided.deliveries, runAt));
    result.notices.push(...digestNotices(alert, data, runAt));
    if (chart) {
      chart.decided(i, runAt, report?.findings ?? [], report?.status === 'error' ? report.error : undefined);
      chart.noticed(result.notices.slice(noticed));
    }
    // Every channel accepts at once (as markDelivered stamps a key): a later resolved notice goes to the same channels.
    for (const d of decided.deliveries) stampDelivered(data, d, runAt);
    pruneState(data, runAt, config.state.prune_after, defined);
    options.onStep?.(i + 1, windows.length);
  }
  result.notices.push(...digestNotices(alert, data, options.now));
  if (chart) result.chart = chart.build(result);
  return result;
}

/** The digest notices due by `until` in the replayed state, each at the first whole minute at or after its due time (a cron run). */
function digestNotices(alert: AlertDef, data: StateData, until: number): BacktestNotice[] {
  const { deliveries } = digestStage([alert], data, until);
  return deliveries.reduce<BacktestNotice[]>((notices, d) => {
    const at = Math.min(Math.ceil(d.digest!.to / MINUTE) * MINUTE, until);
    const same = notices.find((n) => n.key === d.key && n.at === at);
    if (same) same.channels.push(d.channel!);
    else notices.push({ at, key: d.key, reason: d.reason, title: d.title, channels: [d.channel!] });
    return notices;
  }, []);
}

/** One minute, ms: cron's step. */
const MINUTE = 60_000;

/**
 * For rule types that find nothing and keep nothing when a range holds no event, that range of a step: its window
 * (any, count from 1, blacklist, whitelist, new_term: a new term needs an event in the window) or its search span
 * (frequency: a key needs events within the timeframe; the fire times it keeps are dropped a timeframe later
 * anyway). Undefined for the others (flatline, spike, change, cardinality ... find or remember things without events).
 */
function emptyRange(alert: AlertDef): ((window: Window) => Window) | undefined {
  const condition = (alert as { condition?: ConditionDef }).condition;
  switch (condition?.type) {
    case 'any':
    case 'blacklist':
    case 'whitelist':
    case 'new_term':
      return (window) => window;
    case 'count':
      return meetsThreshold(0, condition) ? undefined : (window) => window;
    case 'frequency':
      return (window) => ruleTypeOf(condition).span?.(condition, window, alert as unknown as RuleAlert) ?? window;
    default:
      return undefined;
  }
}

/**
 * For a rule type that finds nothing in an empty window, which steps have events in their window: one search of
 * the whole span with a date histogram of `every` buckets aligned on the steps. Undefined when every step must
 * be searched (another rule type, or the histogram search failed).
 */
async function stepsWithEvents(source: Source<AlertDef>, alert: AlertDef, windows: readonly Window[], now: number, result: BacktestResult): Promise<boolean[] | undefined> {
  const rangeOf = emptyRange(alert);
  if (!rangeOf) return undefined;
  const ranges = windows.map(rangeOf);
  const span = { from: Math.min(...ranges.map((w) => w.from)), to: windows[windows.length - 1]!.to };
  const planned = source.plan(alert, span).request as { index: string; body: { query?: unknown } };
  const every = alert.every;
  const offset = ((span.from % every) + every) % every;
  const timestampField = (alert as { timestamp_field?: string }).timestamp_field ?? '@timestamp';
  const request = {
    index: planned.index,
    body: { size: 0, query: planned.body.query, aggs: { [STEPS_AGG]: { date_histogram: { field: timestampField, fixed_interval: `${every}ms`, offset: `+${offset}ms`, min_doc_count: 1 } } } },
  };
  const fetched = await source.fetch([{ alert, window: span, request }], now);
  result.requests += fetched.calls;
  const outcome = fetched.outcomes[0];
  if (!outcome?.ok || !('response' in outcome)) return undefined;
  const buckets = (outcome.response.aggregations?.[STEPS_AGG] as { buckets?: { key: number; doc_count: number }[] } | undefined)?.buckets;
  if (!buckets) return undefined;
  const starts = buckets.filter((b) => b.doc_count > 0).map((b) => b.key).sort((a, b) => a - b);
  // A bucket [k, k + every) holds events of a step whose range overlaps it.
  return ranges.map((w) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! + every <= w.from) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length && starts[lo]! < w.to;
  });
}

/** Name of the date histogram that finds the steps with events. */
const STEPS_AGG = 'alertcron_backtest_steps';

/** Folds the deliveries one step queued (one per channel) into notices (one per key and reason). */
function noticesOf(deliveries: readonly { key: string; reason: string; title: string; channel?: string }[], at: number): BacktestNotice[] {
  const byNotice = new Map<string, BacktestNotice>();
  for (const d of deliveries) {
    const id = `${d.key}\u0000${d.reason}`;
    const notice = byNotice.get(id) ?? { at, key: d.key, reason: d.reason, title: d.title, channels: [] };
    if (d.channel) notice.channels.push(d.channel);
    byNotice.set(id, notice);
  }
  return [...byNotice.values()];
}
