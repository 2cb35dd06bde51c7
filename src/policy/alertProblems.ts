import type { AlertProblem, AlertState, GoneProblem } from '../model/state.js';
import { plainMap } from '../util/plainMap.js';

/**
 * How long a problem that a run's own answer shows must last (seen, and never seen gone, from its first run to a
 * later one) before it is told: a daily index that does not exist yet at midnight, or a minute of events without
 * their key, must not page anyone.
 */
export const PROBLEM_GRACE = 60 * 60_000;
/**
 * How many runs must show a problem (none showing it gone) before it is told, besides PROBLEM_GRACE: two rare
 * windows an hour apart are not evidence enough.
 */
export const PROBLEM_RUNS = 3;
/** How often a problem that lasts is told again (stderr, audit log, monitoring channels). */
export const RETELL_AFTER = 24 * 60 * 60_000;

/** The kinds of problem an alert that cannot fire is watched for (the keys of AlertState.problems). */
export const PROBLEM_KIND = { index: 'index', groupBy: 'group_by', buckets: 'buckets', timestamp: 'timestamp_field', template: 'template' } as const;

/** How a problem of each kind is named, and its end: most kinds mean the alert cannot fire; an empty template field means its notices say less. */
export function problemWords(kind: string): { problem: string; fixed: string } {
  return kind === PROBLEM_KIND.template ? { problem: 'notifies with empty template fields', fixed: 'fills its template fields again' } : { problem: 'cannot fire', fixed: 'can fire again' };
}

/** What one run saw of one kind of problem of one alert: the problem (its message), or that it is not there (`message` unset). */
export interface ProblemObservation {
  kind: string;
  message?: string;
  /** Told at once, without the grace: what the daily field check finds is not momentary. */
  immediate?: boolean;
  /** The alert's settings this kind is judged against (as JSON): a remembered problem judged against others is forgotten. */
  against?: string;
}

/** What is to be told about one problem this run: it is there (first time, or again after a day), or it is gone after having been told. */
export interface ProblemNews {
  kind: string;
  news: 'problem' | 'fixed';
  message: string;
  since: number;
}

/**
 * Updates an alert's remembered problems with what this run saw (kinds it did not look at stay as they are) and
 * returns what is to be told: a problem once PROBLEM_RUNS runs over PROBLEM_GRACE have shown it (or at once if
 * `immediate`), a told problem that a run shows gone as fixed; each kind of each alert is told, and told fixed, at
 * most once per RETELL_AFTER, even when it comes and goes (when it was told is kept that long after it is gone).
 */
export function updateProblems(state: AlertState, observations: readonly ProblemObservation[], now: number): ProblemNews[] {
  // Most alerts, most minutes: nothing remembered and nothing seen, so nothing to update or tell.
  if (state.problems === undefined && state.problemsGone === undefined && observations.every((o) => o.message === undefined)) return [];
  const news: ProblemNews[] = [];
  const held = state.problems as unknown;
  if (held !== undefined && (typeof held !== 'object' || held === null || Array.isArray(held))) delete state.problems;
  pruneGone(state, now);
  for (const seen of observations) {
    const known = ownProblem(state, seen.kind);
    const gone = ownGone(state, seen.kind);
    if (seen.message === undefined) {
      if (!known) continue;
      delete state.problems![seen.kind];
      if (known.toldAt === undefined) continue;
      const fixedDue = gone?.fixedAt === undefined || now - gone.fixedAt >= RETELL_AFTER;
      if (fixedDue) news.push({ kind: seen.kind, news: 'fixed', message: known.message, since: known.since });
      const fixedAt = fixedDue ? now : gone?.fixedAt;
      (state.problemsGone ??= plainMap())[seen.kind] = { toldAt: known.toldAt, ...(fixedAt !== undefined ? { fixedAt } : {}) };
      continue;
    }
    // A problem back within a day of being told is not told again before the day is out.
    const problem: AlertProblem = known ?? { message: seen.message, since: now, lastSeen: now, ...(gone ? { toldAt: gone.toldAt } : {}) };
    problem.message = seen.message;
    if (seen.against !== undefined) problem.against = seen.against;
    // Times stored while the clock was ahead are taken as now: the problem lasts from here, and errs towards telling.
    if (problem.since > now) problem.since = now;
    if (problem.toldAt !== undefined && problem.toldAt > now) delete problem.toldAt;
    problem.lastSeen = now;
    problem.runs = (typeof problem.runs === 'number' && problem.runs >= 0 ? problem.runs : 0) + 1;
    (state.problems ??= plainMap())[seen.kind] = problem;
    const lasted = seen.immediate || (now - problem.since >= PROBLEM_GRACE && problem.runs >= PROBLEM_RUNS);
    const due = problem.toldAt === undefined || now - problem.toldAt >= RETELL_AFTER;
    if (lasted && due) {
      problem.toldAt = now;
      news.push({ kind: seen.kind, news: 'problem', message: problem.message, since: problem.since });
    }
  }
  if (state.problems && !Object.keys(state.problems).length) delete state.problems;
  return news;
}

/**
 * Forgets the remembered problems (and their record once gone) judged against settings the alert no longer has
 * (`settings`: by kind, as ProblemObservation.against; give only the kinds this run did not judge): the user changed
 * what caused them (a renamed timestamp_field, group_by or index), so status must not keep the old message until a
 * run can judge again. Returns the kinds forgotten.
 */
export function forgetChangedProblems(state: AlertState, settings: Readonly<Record<string, string>>): string[] {
  const forgotten: string[] = [];
  for (const kind of Object.keys(state.problems ?? {})) {
    const problem = ownProblem(state, kind);
    const now = Object.prototype.hasOwnProperty.call(settings, kind) ? settings[kind] : undefined;
    if (problem?.against === undefined || now === undefined || problem.against === now) continue;
    delete state.problems![kind];
    if (state.problemsGone && typeof state.problemsGone === 'object') delete state.problemsGone[kind];
    forgotten.push(kind);
  }
  if (state.problems && typeof state.problems === 'object' && !Object.keys(state.problems).length) delete state.problems;
  return forgotten;
}

/** Forgets gone problems whose telling (and fix) is a day old or more, or stamped ahead of the clock, and records of the wrong shape. */
function pruneGone(state: AlertState, now: number): void {
  const gone = state.problemsGone as unknown;
  if (gone === undefined) return;
  if (typeof gone !== 'object' || gone === null || Array.isArray(gone)) {
    delete state.problemsGone;
    return;
  }
  for (const kind of Object.keys(gone)) {
    const record = ownGone(state, kind);
    const last = record ? Math.max(record.toldAt, record.fixedAt ?? 0) : undefined;
    if (last === undefined || last > now || now - last >= RETELL_AFTER) delete state.problemsGone![kind];
  }
  if (!Object.keys(state.problemsGone!).length) delete state.problemsGone;
}

/** The alert's record of a gone problem of a kind, when the state holds a well-formed one. */
function ownGone(state: AlertState, kind: string): GoneProblem | undefined {
  const gone = state.problemsGone;
  if (!gone || typeof gone !== 'object' || !Object.prototype.hasOwnProperty.call(gone, kind)) return undefined;
  const g = gone[kind] as Partial<GoneProblem> | undefined;
  if (!g || typeof g.toldAt !== 'number' || (g.fixedAt !== undefined && typeof g.fixedAt !== 'number')) return undefined;
  return g as GoneProblem;
}

/** The alert's remembered problem of a kind, when the state holds a well-formed one (a hand-edited state may not). */
export function ownProblem(state: AlertState, kind: string): AlertProblem | undefined {
  const problems = state.problems;
  if (!problems || typeof problems !== 'object' || !Object.prototype.hasOwnProperty.call(problems, kind)) return undefined;
  const p = problems[kind] as Partial<AlertProblem> | undefined;
  if (!p || typeof p.message !== 'string' || typeof p.since !== 'number' || typeof p.lastSeen !== 'number' || (p.toldAt !== undefined && typeof p.toldAt !== 'number')) return undefined;
  return p as AlertProblem;
}
