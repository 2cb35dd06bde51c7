import type { Finding } from '../model/finding.js';
import { perKeyObserved } from './observed.js';
import type { Window } from '../model/window.js';
import { parseDuration } from '../util/duration.js';
import { isStoredTime } from '../util/epochTime.js';
import { plainCopy } from '../util/plainMap.js';
import { bucketBudgetProblem, defaultResolution, effectiveResolution } from './frequency.js';
import { bucketsOf } from './groupKey.js';
import { isoTime, keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import { GROUP_AGG } from './search.js';
import type { RuleAlert, RuleProblem, RuleType, TemporalCondition } from './types.js';
import type { SearchResponse } from '../model/search.js';

/** Name prefix of the per-filter aggregations (numbered: the user's filter names never reach the search). */
const FILTER = 'alertcron_rule_';
const HISTOGRAM = 'alertcron_histogram';
const FIRST = 'alertcron_first';
const LAST = 'alertcron_last';
/** Name prefix of the follow-up's per-key clauses (numbered in the order of the first response's keys). */
const KEY = 'alertcron_key_';
/** The most events the follow-up fetches to decide the order inside buckets; beyond it the rule judges on first and last matches. */
export const UNDECIDED_EVENT_LIMIT = 10_000;
/** The most query clauses the follow-up adds (per key: its terms, and a range per run of undecided buckets), well below the engine's 1024. */
export const FOLLOW_UP_CLAUSE_LIMIT = 500;

/** What temporal remembers per key: when it last fired (the matches up to then are used up). */
export interface TemporalState {
  lastFire: Record<string, number>;
}

/** One fire of a key: when (the end of the window) and, per filter in the listed order, the match it counted. */
export interface TemporalFire {
  at: number;
  matches: number[];
}

/**
 * The times at which all filters matched within `timeframe` (closed window [t - timeframe, t]) for t in the run's
 * window [from, to), each fire using up the matches up to it. Ordered: the matches must occur in the listed order
 * (equal times count as in order). `points` holds per filter times known to be matches: each histogram bucket's
 * first and last match (buckets no wider than the timeframe), plus every match of the buckets where those do not
 * decide (see undecidedBuckets). On such points the fires are those of the full event lists: a window ending in
 * another bucket than it starts holds a match of a bucket only if it holds its first or last, and a window or a
 * chain that needs a match between a bucket's first and last needs two filters matching in that bucket. Pure.
 */
export function temporalFires(points: number[][], timeframe: number, ordered: boolean, window: Window, lastFire: number | undefined): TemporalFire[] {
  const sorted = points.map((list) => [...new Set(list)].sort((a, b) => a - b));
  if (sorted.length === 0 || sorted.some((list) => list.length === 0)) return [];
  const fires: TemporalFire[] = [];
  let used = lastFire;
  // The earliest fire is at a match's time inside the window, or at the window's start (matches before it still count).
  const candidates = [...new Set([window.from, ...sorted.flat()])].filter((t) => t >= window.from && t < window.to).sort((a, b) => a - b);
  for (const t of candidates) {
    const lower = Math.max(t - timeframe, used === undefined ? -Infinity : used + 1);
    const matches = ordered ? orderedMatches(sorted, lower, t) : anyOrderMatches(sorted, lower, t);
    if (!matches) continue;
    fires.push({ at: t, matches });
    used = t;
  }
  return fires;
}

/** Per filter its first match in [lower, upper], or undefined when one has none. */
function anyOrderMatches(sorted: number[][], lower: number, upper: number): number[] | undefined {
  const matches: number[] = [];
  for (const list of sorted) {
    const at = firstAtLeast(list, lower);
    if (at === undefined || at > upper) return undefined;
    matches.push(at);
  }
  return matches;
}

/** A chain of matches in the listed order within [lower, upper] (each the earliest after the one before), or undefined. */
function orderedMatches(sorted: number[][], lower: number, upper: number): number[] | undefined {
  const matches: number[] = [];
  let from = lower;
  for (const list of sorted) {
    const at = firstAtLeast(list, from);
    if (at === undefined || at > upper) return undefined;
    matches.push(at);
    from = at;
  }
  return matches;
}

/** The smallest value of an ascending list that is >= bound. */
function firstAtLeast(list: number[], bound: number): number | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < bound) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

/** The match times of one key's histogram, per filter in the listed order (each bucket's first and last match). */
function matchPoints(aggs: Record<string, any>, count: number): number[][] {
  const points: number[][] = Array.from({ length: count }, () => []);
  for (const bucket of (aggs[HISTOGRAM]?.buckets ?? []) as Record<string, any>[]) {
    for (let i = 0; i < count; i++) {
      for (const name of [FIRST, LAST]) {
        const value = bucket[FILTER + i]?.[name]?.value;
        if (typeof value === 'number' && Number.isFinite(value)) points[i]!.push(value);
      }
    }
  }
  return points;
}

/** Per filter, the number of its matches in one histogram bucket. */
function filterCounts(bucket: Record<string, any>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number(bucket[FILTER + i]?.doc_count ?? 0));
}

/**
 * The start times of one key's histogram buckets whose first and last matches per filter do not decide the fires:
 * a filter there has more than two matches and (ordered) two filters next to each other in the order, or (any order)
 * every filter, match there. Only there can a chain or a window lie between a bucket's first and last match.
 */
export function undecidedBuckets(aggs: Record<string, any>, count: number, ordered: boolean): { start: number; events: number }[] {
  const undecided: { start: number; events: number }[] = [];
  for (const bucket of (aggs[HISTOGRAM]?.buckets ?? []) as Record<string, any>[]) {
    const counts = filterCounts(bucket, count);
    if (!counts.some((c) => c > 2)) continue;
    const together = ordered ? counts.some((c, i) => i > 0 && c > 0 && counts[i - 1]! > 0) : counts.every((c) => c > 0);
    if (together) undecided.push({ start: Number(bucket.key), events: Number(bucket.doc_count ?? 0) });
  }
  return undecided;
}

/** What the follow-up fetches: per key (its group bucket, when grouped) the spans of its runs of undecided buckets, the events and clauses that takes. */
interface FollowUpPlan {
  keys: { raw: unknown; spans: { from: number; to: number }[] }[];
  events: number;
  clauses: number;
}

/** The undecided buckets of every key of the first response (contiguous ones merged into one span), with the events they hold. */
function followUpPlan(alert: RuleAlert, condition: TemporalCondition, response: SearchResponse, r: number): FollowUpPlan {
  const raws = alert.group_by ? bucketsOf(response.aggregations, GROUP_AGG).map((bucket) => bucket.key) : [undefined];
  const keys: FollowUpPlan['keys'] = [];
  let events = 0;
  let clauses = 0;
  keyParts(alert, response).forEach((part, j) => {
    const undecided = undecidedBuckets(part.aggs, condition.rules.length, condition.ordered);
    const spans: { from: number; to: number }[] = [];
    for (const start of undecided.map((b) => b.start).sort((a, b) => a - b)) {
      const last = spans[spans.length - 1];
      if (last && last.to >= start) last.to = Math.max(last.to, start + r);
      else spans.push({ from: start, to: start + r });
    }
    keys.push({ raw: raws[j], spans });
    events += undecided.reduce((sum, b) => sum + b.events, 0);
    // The key's bool, its terms, the bool of its ranges, and a range per span.
    if (spans.length) clauses += 2 + (alert.group_by?.length ?? 0) + spans.length;
  });
  return { keys, events, clauses };
}

/** Why the follow-up fetches nothing although buckets are undecided (too many events or clauses), if it does. */
function overLimit(plan: FollowUpPlan): string | undefined {
  if (plan.events > UNDECIDED_EVENT_LIMIT) return `${plan.events} events lie in buckets where each filter's first and last match do not decide the order, more than the ${UNDECIDED_EVENT_LIMIT} fetched to decide it`;
  if (plan.clauses > FOLLOW_UP_CLAUSE_LIMIT) return `the buckets where each filter's first and last match do not decide the order are too scattered to fetch in one search (${plan.clauses} query clauses, more than ${FOLLOW_UP_CLAUSE_LIMIT})`;
  return undefined;
}

/** The note of a run judged on first and last matches only: why the undecided buckets' events were not used. */
function judgedOnEndsNote(reason: string): string {
  return `${reason}: judged on those first and last matches, so a chain may be missed (a finer resolution puts fewer events in such buckets)`;
}

/** A query matching one key's events (a term per group_by field), or undefined without group_by. */
function keyQuery(fields: readonly string[] | undefined, raw: unknown): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const values = fields.length === 1 ? [raw] : (raw as unknown[]);
  return { bool: { filter: fields.map((field, i) => ({ term: { [field]: values[i] } })) } };
}

/** Per key of the first response, per filter, the times of the follow-up's events (each tagged by the named clauses it matched). */
function fetchedPoints(response: SearchResponse | undefined, field: string, keys: number, count: number): number[][][] {
  const points = Array.from({ length: keys }, () => Array.from({ length: count }, () => [] as number[]));
  for (const hit of (response?.hits?.hits ?? []) as { fields?: Record<string, unknown[]>; matched_queries?: string[] }[]) {
    const at = Number(hit.fields?.[field]?.[0]);
    if (!Number.isFinite(at)) continue;
    const names = hit.matched_queries ?? [];
    // An event whose group field holds several values belongs to every key it matched.
    const owners = keys === 1 ? [0] : names.filter((name) => name.startsWith(KEY)).map((name) => Number(name.slice(KEY.length)));
    for (const name of names) {
      if (!name.startsWith(FILTER)) continue;
      for (const key of owners) points[key]?.[Number(name.slice(FILTER.length))]?.push(at);
    }
  }
  return points;
}

/** `temporal`: per key, every named filter matches within any timeframe-wide window ending in the run's window (in the listed order when ordered). */
export const temporalRule: RuleType<TemporalCondition> = {
  type: 'temporal',
  // A failed follow-up leaves the order judged on first and last matches, with a note (see evaluate).
  followUpOptional: true,
  complete(raw) {
    const timeframe = parseDuration(String(raw.timeframe));
    const ordered = raw.ordered === true;
    const rules = Object.entries((raw.rules ?? {}) as Record<string, { query: Record<string, unknown> }>).map(([name, rule]) => ({ name, query: rule.query }));
    // Any resolution up to the timeframe decides the fires (see temporalFires, with the follow-up's events); finer
    // buckets put fewer events in the buckets the follow-up fetches.
    const resolution = typeof raw.resolution === 'string' ? parseDuration(raw.resolution) : defaultResolution(timeframe);
    return { type: 'temporal', timeframe, ordered, resolution, rules };
  },
  check(raw, alert) {
    const problems: RuleProblem[] = [];
    const rules = raw.rules && typeof raw.rules === 'object' ? Object.keys(raw.rules) : [];
    if (typeof raw.timeframe === 'string' && alert.longest_window !== undefined && rules.length) {
      try {
        const grouped = alert.group_by !== undefined;
        const budget = bucketBudgetProblem(parseDuration(raw.timeframe), alert.longest_window, grouped ? Number(alert.group_size ?? 100) : 1, grouped);
        if (budget) problems.push(budget);
      } catch {
        // The schema reports a malformed duration.
      }
    }
    if (raw.ordered === true) {
      const numeric = rules.find((name) => /^\d+$/.test(name));
      if (numeric !== undefined) problems.push({ path: ['condition', 'rules', numeric], message: `a filter named with a whole number loses its place in the order (YAML maps list such keys first): rename it, e.g. rule_${numeric}` });
    }
    if (typeof raw.timeframe === 'string' && typeof raw.resolution === 'string') {
      try {
        const timeframe = parseDuration(raw.timeframe);
        const resolution = parseDuration(raw.resolution);
        if (resolution > timeframe || timeframe % resolution !== 0) problems.push({ path: ['condition', 'resolution'], message: `must divide timeframe (${raw.timeframe}) into equal buckets, e.g. resolution: ${raw.timeframe}` });
      } catch {
        // The schema reports a malformed duration.
      }
    }
    return problems;
  },
  span: (condition, window) => ({ from: window.from - condition.timeframe, to: window.to }),
  search(base, alert, condition, window) {
    // Budgeted as frequency's: over the searched span (the run's window and one timeframe before it).
    const r = effectiveResolution(condition, window, alert.group_by ? alert.group_size : 1);
    const offset = ((window.to % r) + r) % r;
    // One histogram per key; each filter a single-bucket sub-aggregation (not counted against search.max_buckets).
    const perFilter: Record<string, unknown> = {};
    condition.rules.forEach((rule, i) => {
      perFilter[FILTER + i] = { filter: rule.query, aggs: { [FIRST]: { min: { field: alert.timestamp_field } }, [LAST]: { max: { field: alert.timestamp_field } } } };
    });
    const aggs = { [HISTOGRAM]: { date_histogram: { field: alert.timestamp_field, fixed_interval: `${r}ms`, offset: `${offset}ms`, min_doc_count: 1 }, aggs: perFilter } };
    // Only events some filter matches are searched (and sampled).
    const query = base.query as Record<string, unknown> | undefined;
    const anyFilter = { bool: { should: condition.rules.map((rule) => rule.query), minimum_should_match: 1 } };
    const narrowed = { ...base, query: { bool: { filter: query ? [query, anyFilter] : [anyFilter] } } };
    return perKeySearch(narrowed, alert, aggs);
  },
  followUp(base, response, alert, condition, window) {
    // The events of the undecided buckets, each with its time and the filters (and key) it matches.
    const r = effectiveResolution(condition, window, alert.group_by ? alert.group_size : 1);
    const plan = followUpPlan(alert, condition, response, r);
    if (plan.events === 0 || overLimit(plan)) return undefined;
    const perKey = plan.keys.flatMap(({ raw, spans }, j) => {
      if (!spans.length) return [];
      const ranges = spans.map(({ from, to }) => ({ range: { [alert.timestamp_field]: { gte: from, lt: to, format: 'epoch_millis' } } }));
      const key = keyQuery(alert.group_by, raw);
      return [{ bool: { filter: [...(key ? [key] : []), { bool: { should: ranges, minimum_should_match: 1 } }], _name: KEY + j } }];
    });
    const filters = condition.rules.map((rule, i) => ({ bool: { filter: [rule.query], _name: FILTER + i } }));
    const span = temporalRule.span!(condition, window, alert);
    const searched = base(span);
    const query = searched.query as Record<string, unknown>;
    return {
      ...searched,
      query: { bool: { filter: [query, { bool: { should: perKey, minimum_should_match: 1 } }, { bool: { should: filters, minimum_should_match: 1 } }] } },
      // Room for all (events indexed late into those buckets since the first search included).
      size: UNDECIDED_EVENT_LIMIT,
      _source: false,
      docvalue_fields: [{ field: alert.timestamp_field, format: 'epoch_millis' }],
    };
  },
  evaluate({ alert, condition, window, response, state }) {
    const lastFire = plainCopy<number>((state as TemporalState | undefined)?.lastFire, isStoredTime);
    const findings: Finding[] = [];
    const plan = followUpPlan(alert, condition, response, effectiveResolution(condition, window, alert.group_by ? alert.group_size : 1));
    // Without the undecided buckets' events (too many, or the follow-up failed) the order is judged on first and last matches.
    const limit = plan.events > 0 ? overLimit(plan) : undefined;
    const failed = plan.events > 0 && !limit && response.followUpError !== undefined ? `the search for the events of buckets where each filter's first and last match do not decide the order failed (${response.followUpError})` : undefined;
    const fetched = limit || failed ? [] : fetchedPoints(response.followUp, alert.timestamp_field, plan.keys.length, condition.rules.length);
    keyParts(alert, response).forEach((part, j) => {
      const points = matchPoints(part.aggs, condition.rules.length).map((list, i) => [...list, ...(fetched[j]?.[i] ?? [])]);
      const fires = temporalFires(points, condition.timeframe, condition.ordered, window, lastFire[part.key]);
      const last = fires[fires.length - 1];
      if (!last) return;
      lastFire[part.key] = last.at;
      const start = Math.min(...last.matches);
      const matched = Object.fromEntries(condition.rules.map((rule, i) => [rule.name, isoTime(last.matches[i])]));
      findings.push({
        key: part.key,
        count: part.doc_count,
        counted: { from: start, to: last.at + 1 },
        fields: { ...(part.samples[0] ?? {}), matched, rules: condition.rules.map((rule) => rule.name).join(', '), fires: fires.length, window_start: isoTime(start), window_end: isoTime(last.at) },
        samples: part.samples,
      });
    });
    // A fire older than one timeframe before the window's end no longer limits what the next run counts.
    for (const [key, at] of Object.entries(lastFire)) if (at < window.to - condition.timeframe) delete lastFire[key];
    const reason = limit ?? failed;
    const note = reason ? judgedOnEndsNote(reason) : undefined;
    return { findings, state: { lastFire } satisfies TemporalState, incomplete: keysLeftOut(alert, response), ...(note ? { note } : {}), observed: perKeyObserved(alert, response, (part) => part.doc_count) };
  },
};
