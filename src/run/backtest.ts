import type { Config, AlertDef } from '../config/types.js';
import { emptyState, type StateData } from '../model/state.js';
import type { Window } from '../model/window.js';
import { sourceDefinition } from '../sources/registry.js';
import type { PlannedRequest, Source } from '../sources/types.js';
import { pruneState } from '../state/prune.js';
import { decideStage } from './decideStage.js';
import { evaluateStage } from './evaluate.js';

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
  /** Runs whose search or evaluation failed, with the first errors (their spans are not replayed). */
  failedSteps: number;
  errors: string[];
}

/** How a backtest is asked to run. */
export interface BacktestOptions {
  /** How far back to replay, ms. */
  spanMs: number;
  /** The time the backtest runs at (the last step ends at now − ingest_delay). */
  now: number;
  /** Searches per _msearch request (default: the larger of the configured msearch_chunk and 1,000). */
  chunk?: number;
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
    windows.push(alert.lookback !== undefined ? { from: to - alert.lookback, to } : { from: to - alert.every, to });
  }
  return windows;
}

/**
 * Replays one alert over a past span in its own schedule steps, as consecutive runs would have, with a state of
 * its own that starts empty: each step's response goes through the alert's rule type (its rule state carried
 * from step to step), then through the same decide stage as a run (throttle, escalation, max_findings summary,
 * resolution), and the notices it would queue are collected. It reads no state file, writes nothing and sends
 * nothing; silences and acknowledgements are not replayed. The steps' searches go out in `_msearch` requests of
 * `chunk` searches, evaluated in order one request at a time.
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
    failedSteps: 0,
    errors: [],
  };
  const defined = new Set([alert.name]);
  for (let first = 0; first < windows.length; first += chunk) {
    const plans: PlannedRequest<AlertDef>[] = windows.slice(first, first + chunk).map((window) => source.plan(alert, window));
    const fetched = await source.fetch(plans, options.now);
    result.requests += fetched.calls;
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i]!;
      const runAt = plan.window.to + alert.ingest_delay;
      const outcome = fetched.outcomes[i] ?? { ok: false as const, error: 'no answer for this step' };
      const evaluated = await evaluateStage([{ plan, outcome }], (name) => data.alerts[name]?.rule);
      const decided = decideStage(evaluated, data, sources, runAt, { fixedWindow: false, includeRequests: false, maxFindings: config.run.max_findings });
      const report = decided.alerts[0];
      if (report?.status === 'error') {
        result.failedSteps++;
        if (result.errors.length < ERRORS_KEPT) result.errors.push(`${new Date(plan.window.from).toISOString()}: ${report.error}`);
      }
      result.notices.push(...noticesOf(decided.deliveries, runAt));
      // Every channel accepts at once (as markDelivered stamps a key): a later resolved notice goes to the same channels.
      for (const d of decided.deliveries) {
        const key = d.channel ? data.alerts[d.alert]?.keys[d.key] : undefined;
        if (key) key.delivered[d.channel!] = runAt;
      }
      pruneState(data, runAt, config.state.prune_after, defined);
    }
  }
  return result;
}

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
