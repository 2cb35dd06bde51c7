import type { AlertDef } from '../config/types.js';
import { CHART_KEYS_ALL, CHART_TOP_KEYS, type BacktestChart, type ChartMarker } from '../model/backtestChart.js';
import { observedLabel, observedThresholds } from '../rules/observed.js';
import type { ConditionDef } from '../rules/types.js';
import { formatDuration } from '../util/duration.js';
import { redact } from '../util/redact.js';
import type { Evaluated } from './evaluate.js';
import type { FindingReport } from './report.js';

/** Per-key values kept in all before the keys that cannot make the top lose theirs (8 bytes a value, two arrays). */
export const KEY_POINTS_BUDGET = 1_000_000;
/** When the budget is spent, the series of this many keys (the best so far: most notices, then highest peak) are kept. */
export const KEYS_KEPT = 10 * CHART_TOP_KEYS;

/** One key's values at the steps where it had one (sparse), its notices so far and its highest value. */
interface KeySeries {
  steps: number[];
  values: number[];
  notices: number;
  peak: number;
  /** Set when its values were let go to stay within the budget (it no longer collects). */
  dropped?: true;
}

/** A step's notice as the backtest collected it. */
interface StepNotice {
  at: number;
  key: string;
  reason: string;
}

/**
 * Collects, step by step, what a backtest chart draws of one alert: the observed value in all and per key, the
 * findings held back, the failed steps; then builds the BacktestChart from them and the backtest's notices.
 * Memory: the total is one number a step; per-key values are kept sparsely (only the steps where a key had a
 * value) up to KEY_POINTS_BUDGET values in all, then only for the KEYS_KEPT keys ranked best so far.
 */
export class ChartCollector {
  readonly total: (number | null)[];
  private readonly keys = new Map<string, KeySeries>();
  private readonly markers: ChartMarker[] = [];
  private points = 0;
  private query: unknown;

  constructor(private readonly alert: AlertDef, private readonly steps: number) {
    this.total = new Array<number | null>(steps).fill(null);
  }

  /** Step `i` had no events in the range that matters and was not searched: its value is 0 events. */
  skipped(i: number, request: unknown): void {
    this.total[i] = 0;
    this.query ??= request;
  }

  /** Step `i` was searched and evaluated (a failed one keeps no value). */
  evaluated(i: number, evaluated: readonly Evaluated[]): void {
    const e = evaluated[0];
    if (!e) return;
    this.query = e.request;
    if (!e.ok) return;
    this.total[i] = e.observed ? e.observed.total : e.findings.length;
    for (const { key, value } of e.observed?.keys ?? []) this.record(i, key, value);
  }

  /** The decide stage's report of step `i`: findings held back by the throttle (or `once`) become markers; a failed step one too. */
  decided(i: number, runAt: number, findings: readonly FindingReport[], error?: string): void {
    if (error !== undefined) this.markers.push({ step: i, at: runAt, kind: 'failed', key: '', reason: redact(error) });
    for (const f of findings) {
      if (f.decision === 'throttled' || f.decision === 'once') this.markers.push({ step: i, at: runAt, kind: 'held', key: f.key, reason: f.decision });
    }
  }

  /** Notices the step sent: counted per key, for ranking the keys while the backtest runs. */
  noticed(notices: readonly StepNotice[]): void {
    for (const n of notices) {
      const series = this.keys.get(n.key);
      if (series) series.notices++;
    }
  }

  private record(i: number, key: string, value: number): void {
    let series = this.keys.get(key);
    if (!series) this.keys.set(key, (series = { steps: [], values: [], notices: 0, peak: value }));
    series.peak = Math.max(series.peak, value);
    if (series.dropped) return;
    series.steps.push(i);
    series.values.push(value);
    if (++this.points > KEY_POINTS_BUDGET) this.trim();
  }

  /** Lets go of the values of every key but the KEYS_KEPT best so far. */
  private trim(): void {
    const kept = new Set(rank([...this.keys]).slice(0, KEYS_KEPT).map(([key]) => key));
    this.points = 0;
    for (const [key, series] of this.keys) {
      if (kept.has(key)) this.points += series.steps.length;
      else if (!series.dropped) Object.assign(series, { steps: [], values: [], dropped: true });
    }
  }

  /** The chart, from what was collected and the backtest's totals. */
  build(result: { span: { from: number; to: number }; every: number; steps: number; requests: number; failedSteps: number; errors: string[]; notices: readonly { at: number; key: string; reason: string; title: string; channels: string[] }[] }): BacktestChart {
    const alert = this.alert;
    const condition = (alert as { condition?: ConditionDef }).condition;
    const grouped = (alert as { group_by?: string[] }).group_by !== undefined;
    const stepOf = (at: number) => Math.min(this.steps - 1, Math.max(0, Math.ceil((at - alert.ingest_delay - result.span.from) / result.every) - 1));
    const markers = [...this.markers];
    for (const n of result.notices) markers.push({ step: stepOf(n.at), at: n.at, kind: markerKind(n.reason), key: n.key, reason: n.reason });
    markers.sort((a, b) => a.step - b.step);
    // Final notice counts per key (digests included), for the ranking.
    const notices = new Map<string, number>();
    for (const n of result.notices) notices.set(n.key, (notices.get(n.key) ?? 0) + 1);
    for (const [key, series] of this.keys) series.notices = notices.get(key) ?? 0;
    const all = this.keys.size <= CHART_KEYS_ALL;
    // Only a key whose values were all kept can have a line: one let go would be drawn with gaps it never had.
    const complete = [...this.keys].filter(([, series]) => !series.dropped);
    const letGo = this.keys.size - complete.length;
    const shown = all ? complete.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : rank(complete).slice(0, CHART_TOP_KEYS);
    // Held findings can be one per key and step: with many keys, only the shown keys' are marked.
    const marked = all ? undefined : new Set(shown.map(([key]) => key));
    const kept = marked ? markers.filter((m) => m.kind !== 'held' || marked.has(m.key)) : markers;
    return {
      alert: alert.name,
      ruleType: condition?.type ?? alert.source,
      span: result.span,
      every: result.every,
      ingestDelay: alert.ingest_delay,
      steps: result.steps,
      valueLabel: condition ? observedLabel(condition, grouped) : 'findings per window',
      total: this.total,
      keys: shown.map(([key, series]) => ({ key, values: dense(series, this.steps) })),
      keysShown: all ? 'all' : 'top',
      keysTotal: this.keys.size,
      ...(letGo > 0 ? { keysLetGo: letGo } : {}),
      thresholds: condition ? observedThresholds(condition) : [],
      markers: kept,
      notices: result.notices.map((n) => ({ at: n.at, key: n.key, reason: n.reason, title: n.title, channels: [...n.channels] })),
      query: this.query ?? null,
      settings: settingsOf(alert),
      requests: result.requests,
      failedSteps: result.failedSteps,
      errors: [...result.errors],
    };
  }
}

/** Keys best first: most notices, then highest peak, then by name. */
function rank(entries: [string, KeySeries][]): [string, KeySeries][] {
  return entries.sort((a, b) => b[1].notices - a[1].notices || b[1].peak - a[1].peak || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A sparse series as one value (or null) per step. */
function dense(series: KeySeries, steps: number): (number | null)[] {
  const values = new Array<number | null>(steps).fill(null);
  series.steps.forEach((step, j) => (values[step] = series.values[j]!));
  return values;
}

/** The marker a notice makes: resolved, escalated (tier-N) or sent (first, repeat, digests, summaries). */
function markerKind(reason: string): ChartMarker['kind'] {
  if (reason === 'resolved') return 'resolved';
  if (/^tier-\d+$/.test(reason)) return 'escalated';
  return 'sent';
}

/** The alert's settings that shape a backtest, as text for a table. */
export function settingsOf(alert: AlertDef): Record<string, string> {
  const a = alert as AlertDef & { index?: string; group_by?: string[]; group_size?: number; condition?: ConditionDef; timestamp_field?: string };
  const settings: Record<string, string> = { source: a.source };
  if (a.index !== undefined) settings.index = a.index;
  settings.every = formatDuration(a.every);
  if (a.lookback !== undefined) settings.lookback = formatDuration(a.lookback);
  settings.ingest_delay = formatDuration(a.ingest_delay);
  settings.throttle = a.throttle === 'once' ? 'once' : formatDuration(a.throttle);
  if (a.throttle_cap !== undefined) settings.exponential_throttle = `up to ${formatDuration(a.throttle_cap)}`;
  if (a.resolve_after !== undefined) settings.resolve_after = typeof a.resolve_after === 'number' ? `${a.resolve_after} run(s)` : formatDuration(a.resolve_after.ms);
  if (a.escalation?.length) settings.escalation = `${a.escalation.length} tier(s)`;
  if (a.group_by) settings.group_by = a.group_by.join(', ');
  if (a.group_size !== undefined && a.group_by) settings.group_size = String(a.group_size);
  if (a.timestamp_field !== undefined) settings.timestamp_field = a.timestamp_field;
  if (a.condition) settings.condition = JSON.stringify(conditionShown(a.condition));
  settings.notify = a.notify.join(', ');
  return settings;
}

/** Condition keys that hold a duration in ms (shown as 5m, 1h ...). */
const DURATION_KEYS = new Set(['timeframe', 'resolution', 'key_history', 'terms_window_size', 'timeout']);

/** The condition for a table cell: durations written as durations, long lists counted, a script's paths and options (which may hold anything) left out. */
function conditionShown(condition: ConditionDef): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(condition)) {
    if (value === undefined || name === 'modulePath' || name === 'files' || (condition.type === 'script' && name === 'options')) continue;
    if (DURATION_KEYS.has(name) && typeof value === 'number') shown[name] = formatDuration(value);
    else if (Array.isArray(value) && value.length > LIST_SHOWN) shown[name] = `${value.length} values`;
    else shown[name] = value;
  }
  return shown;
}

/** Longest list of a condition shown in full. */
const LIST_SHOWN = 20;
