import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { isoTime, keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import { withTopCounts } from './count.js';
import { perKeyObserved } from './observed.js';
import { topCountAggs } from './topCounts.js';
import type { FrequencyCondition, RuleAlert, RuleProblem, RuleType } from './types.js';
import { plainCopy } from '../util/plainMap.js';
import { isStoredTime } from '../util/epochTime.js';

/** Name of the date histogram the window slides over. */
const HISTOGRAM = 'alertcron_histogram';
/** Most histogram buckets one search may ask for (the cluster's search.max_buckets is 65,535 by default). */
const BUCKET_BUDGET = 60_000;
/** Bucket counts per timeframe tried for the default resolution, finest first (each must divide the timeframe). */
const DEFAULT_STEPS = [60, 50, 40, 30, 20, 12, 10, 6, 5, 4, 3, 2, 1];

/** What frequency remembers per key: when it last fired (the events before then are used up). */
export interface FrequencyState {
  lastFire: Record<string, number>;
}

/** The default resolution: timeframe/60 or the nearest coarser step that divides it, at least one second. */
export function defaultResolution(timeframe: number): number {
  const steps = DEFAULT_STEPS.find((n) => timeframe % n === 0 && timeframe / n >= 1000);
  return steps ? timeframe / steps : timeframe;
}

/**
 * The resolution used for this window: the configured one, made coarser (by a factor that keeps it dividing the
 * timeframe) when a long catch-up window over many keys would ask for more buckets than the cluster allows.
 */
export function effectiveResolution(condition: Pick<FrequencyCondition, 'timeframe' | 'resolution'>, window: Window, keys: number): number {
  const steps = condition.timeframe / condition.resolution;
  const span = condition.timeframe + (window.to - window.from);
  for (let d = steps; d >= 1; d--) {
    if (steps % d !== 0) continue;
    const r = condition.timeframe / d;
    if (bucketsFor(span, r, keys) <= BUCKET_BUDGET) return r;
  }
  // Over budget even at r = timeframe: validation refuses such alerts (see bucketBudgetProblem).
  return condition.timeframe;
}

/** The buckets a search asks for: per key, its histogram over the span (plus a partial bucket) and the key's own bucket. */
function bucketsFor(span: number, r: number, keys: number): number {
  return (Math.ceil(span / r) + 2) * keys;
}

/**
 * A problem when even the coarsest buckets (resolution = timeframe) over the longest window a run can search
 * would exceed the bucket budget: the cluster would reject the search on every run, so it is refused up front.
 */
export function bucketBudgetProblem(timeframe: number, longestWindow: number, keys: number, grouped: boolean): RuleProblem | undefined {
  const buckets = bucketsFor(timeframe + longestWindow, timeframe, keys);
  if (buckets <= BUCKET_BUDGET) return undefined;
  const perKey = bucketsFor(timeframe + longestWindow, timeframe, 1);
  const fits = Math.floor(BUCKET_BUDGET / perKey);
  const fixes = [
    grouped && fits >= 1 ? `lower group_size to ${fits}` : undefined,
    `lower max_catchup (and first_lookback) so that a run's window is shorter`,
    'or lengthen timeframe',
  ].filter(Boolean).join(', ');
  return {
    path: ['condition', 'timeframe'],
    message: `with ${keys} key(s) and a window of up to ${formatDuration(longestWindow)}, a search would need ${buckets} buckets even at resolution = timeframe: the cluster allows about ${BUCKET_BUDGET}; ${fixes}`,
  };
}

/** The window's first bucket start: the grid is aligned on window.to so that every window ends on a boundary. */
function gridStart(condition: FrequencyCondition, window: Window, r: number): number {
  const from = window.from - condition.timeframe;
  return window.to - Math.ceil((window.to - from) / r) * r;
}

/**
 * Slides a timeframe-wide window over one key's histogram, ending at each bucket boundary inside the run's window,
 * counting only events after the key last fired; each time it holds num_events or more, the key fires and its
 * events so far are used up (ElastAlert2 discards the key's window after a match). Pure.
 */
export function slide(counts: Map<number, number>, condition: FrequencyCondition, window: Window, r: number, lastFire: number | undefined): { fires: number; at?: number; count: number; start?: number } {
  const { peak: _peak, ...result } = slideWithPeak(counts, condition, window, r, lastFire);
  return result;
}

/** slide(), with the most events it counted at one boundary (what it compared with num_events, fired or not). */
function slideWithPeak(counts: Map<number, number>, condition: FrequencyCondition, window: Window, r: number, lastFire: number | undefined): { fires: number; at?: number; count: number; start?: number; peak: number } {
  const start = gridStart(condition, window, r);
  const n = Math.round((window.to - start) / r);
  const per = new Array<number>(n).fill(0);
  for (const [at, count] of counts) {
    const i = Math.floor((at - start) / r);
    if (i >= 0 && i < n) per[i]! += count;
  }
  const width = Math.round(condition.timeframe / r);
  let used = lastFire;
  let fires = 0;
  let last: { at: number; count: number; start: number } | undefined;
  let peak = 0;
  for (let end = 1; end <= n; end++) {
    const at = start + end * r;
    if (at <= window.from) continue;
    let first = Math.max(0, end - width);
    if (used !== undefined) first = Math.max(first, Math.ceil((used - start) / r));
    let count = 0;
    for (let i = first; i < end; i++) count += per[i]!;
    peak = Math.max(peak, count);
    if (count >= condition.num_events) {
      fires++;
      last = { at, count, start: start + first * r };
      used = at;
    }
  }
  return last ? { fires, ...last, peak } : { fires: 0, count: 0, peak };
}

function groupsFor(alert: RuleAlert): number {
  return alert.group_by ? alert.group_size : 1;
}

/** `frequency`: num_events or more events of a key within timeframe, checked at every bucket boundary of the window (catch-up included). */
export const frequencyRule: RuleType<FrequencyCondition> = {
  type: 'frequency',
  topCounts: true,
  complete(raw) {
    const timeframe = parseDuration(String(raw.timeframe));
    return {
      type: 'frequency',
      num_events: Number(raw.num_events),
      timeframe,
      resolution: typeof raw.resolution === 'string' ? parseDuration(raw.resolution) : defaultResolution(timeframe),
    };
  },
  check(raw, alert) {
    const problems: RuleProblem[] = [];
    const tf = typeof raw.timeframe === 'string' ? safeDuration(raw.timeframe) : undefined;
    if (tf && alert.longest_window !== undefined) {
      const grouped = alert.group_by !== undefined;
      const budget = bucketBudgetProblem(tf, alert.longest_window, grouped ? Number(alert.group_size ?? 100) : 1, grouped);
      if (budget) problems.push(budget);
    }
    if (typeof raw.timeframe !== 'string' || typeof raw.resolution !== 'string') return problems;
    const timeframe = safeDuration(raw.timeframe);
    const resolution = safeDuration(raw.resolution);
    if (!timeframe || !resolution) return problems;
    if (resolution > timeframe || timeframe % resolution !== 0) {
      problems.push({ path: ['condition', 'resolution'], message: `must divide timeframe (${raw.timeframe}) into equal buckets: e.g. resolution: ${formatMs(defaultResolution(timeframe))}` });
    } else if (timeframe / resolution > 1000) {
      problems.push({ path: ['condition', 'resolution'], message: `gives ${timeframe / resolution} buckets per timeframe: at most 1000 (e.g. resolution: ${formatMs(defaultResolution(timeframe))})` });
    }
    return problems;
  },
  span: (condition, window) => ({ from: window.from - condition.timeframe, to: window.to }),
  search(base, alert, condition, window) {
    const r = effectiveResolution(condition, window, groupsFor(alert));
    const offset = ((window.to % r) + r) % r;
    const histogram = { date_histogram: { field: alert.timestamp_field, fixed_interval: `${r}ms`, offset: `${offset}ms`, min_doc_count: 1 } };
    return perKeySearch(base, alert, { [HISTOGRAM]: histogram, ...topCountAggs(alert) });
  },
  evaluate({ alert, condition, window, response, state }) {
    const r = effectiveResolution(condition, window, groupsFor(alert));
    const lastFire = plainCopy<number>((state as FrequencyState | undefined)?.lastFire, isStoredTime);
    const findings: Finding[] = [];
    const peaks = new Map<string, number>();
    for (const part of keyParts(alert, response)) {
      const buckets = (part.aggs[HISTOGRAM]?.buckets ?? []) as { key: number; doc_count: number }[];
      const counts = new Map(buckets.map((b) => [Number(b.key), b.doc_count]));
      const result = slideWithPeak(counts, condition, window, r, lastFire[part.key]);
      peaks.set(part.key, result.peak);
      if (!result.fires) continue;
      lastFire[part.key] = result.at!;
      findings.push(withTopCounts({
        key: part.key,
        count: result.count,
        counted: { from: result.start!, to: result.at! },
        fields: { ...(part.samples[0] ?? {}), num_events: condition.num_events, fires: result.fires, window_start: isoTime(result.start), window_end: isoTime(result.at) },
        samples: part.samples,
      }, alert, part.aggs));
    }
    // A fire older than one timeframe before the window's end no longer limits what the next run counts.
    for (const [key, at] of Object.entries(lastFire)) if (at <= window.to - condition.timeframe) delete lastFire[key];
    return { findings, state: { lastFire } satisfies FrequencyState, incomplete: keysLeftOut(alert, response), observed: perKeyObserved(alert, response, (part) => peaks.get(part.key)) };
  },
};

function safeDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
