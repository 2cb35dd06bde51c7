import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { parseDuration } from '../util/duration.js';
import { isStoredTime } from '../util/epochTime.js';
import { plainCopy } from '../util/plainMap.js';
import { bucketBudgetProblem, defaultResolution, effectiveResolution } from './frequency.js';
import { isoTime, keyParts, keysLeftOut, perKeySearch } from './perKey.js';
import type { RuleProblem, RuleType, TemporalCondition } from './types.js';

/** Name prefix of the per-filter aggregations (numbered: the user's filter names never reach the search). */
const FILTER = 'alertcron_rule_';
const HISTOGRAM = 'alertcron_histogram';
const FIRST = 'alertcron_first';
const LAST = 'alertcron_last';

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
 * window [from, to), each fire using up the matches up to it. `points` holds per filter the times known to be
 * matches (the first and last match of each histogram bucket, buckets no wider than the timeframe: a window that
 * holds any match of a bucket holds its first or its last, so the first fire is exact). After a fire, the matches
 * after it inside its bucket are known only by the bucket's last match: the next fire of the key may come up to one
 * bucket late. Ordered: the matches must occur in the listed order (equal times count as in order); judged on the
 * same times, so two rules matching inside one bucket count as ordered by their first and last match there, and a
 * chain that needs a match hidden between a bucket's first and last is missed (see the README's temporal row). Pure.
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

/** `temporal`: per key, every named filter matches within any timeframe-wide window ending in the run's window (in the listed order when ordered). */
export const temporalRule: RuleType<TemporalCondition> = {
  type: 'temporal',
  complete(raw) {
    const timeframe = parseDuration(String(raw.timeframe));
    const ordered = raw.ordered === true;
    const rules = Object.entries((raw.rules ?? {}) as Record<string, { query: Record<string, unknown> }>).map(([name, rule]) => ({ name, query: rule.query }));
    // Any resolution up to the timeframe finds the first fire exactly (see temporalFires); finer buckets order more
    // matches, and find the fires after a fire of the same key sooner (up to one bucket late).
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
  evaluate({ alert, condition, window, response, state }) {
    const lastFire = plainCopy<number>((state as TemporalState | undefined)?.lastFire, isStoredTime);
    const findings: Finding[] = [];
    for (const part of keyParts(alert, response)) {
      const fires = temporalFires(matchPoints(part.aggs, condition.rules.length), condition.timeframe, condition.ordered, window, lastFire[part.key]);
      const last = fires[fires.length - 1];
      if (!last) continue;
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
    }
    // A fire older than one timeframe before the window's end no longer limits what the next run counts.
    for (const [key, at] of Object.entries(lastFire)) if (at < window.to - condition.timeframe) delete lastFire[key];
    return { findings, state: { lastFire } satisfies TemporalState, incomplete: keysLeftOut(alert, response) };
  },
};
