import { SELF_ALERT } from '../model/alert.js';
import type { AuditEntry } from '../model/audit.js';
import type { MonitoringConfig } from '../model/config.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import { templateProblem } from '../inspect/answerProblems.js';
import { checkTimestampFields, FIELD_CHECK_EVERY, FIELD_CHECK_RETRY } from '../inspect/fieldCheck.js';
import { enqueue } from '../outbox/enqueue.js';
import { forgetChangedProblems, PROBLEM_KIND, problemWords, updateProblems, type ProblemNews, type ProblemObservation } from '../policy/alertProblems.js';
import type { AlertBase } from '../model/alert.js';
import type { ElasticsearchConfig, SearchAlertDef } from '../sources/elasticsearch/types.js';
import { plainMap } from '../util/plainMap.js';
import type { Evaluated } from './evaluate.js';

/** What the watch over alerts that cannot fire gives the run: stderr lines, audit lines, monitoring notices, the field check's requests. */
export interface ProblemsResult {
  warnings: string[];
  audit: AuditEntry[];
  deliveries: PendingDelivery[];
  /** HTTP requests of the daily field check (0 on most runs). */
  requests: number;
}

/**
 * Watches, in a real run, for alerts that cannot fire: what each alert's own answer and findings show (an index
 * pattern matching nothing, hits without a group_by value, template paths no finding has) and, for alerts whose
 * window found nothing and were not checked for a day, the field check of their timestamp_field (one `_msearch`
 * for all of them). Remembers each problem in the alert's state and tells it (stderr, audit log, monitoring
 * channels) once it has lasted, then once a day while it lasts; a told problem that is gone is told fixed.
 */
export async function watchAlertProblems(
  evaluated: readonly Evaluated[],
  data: StateData,
  context: { elasticsearch?: ElasticsearchConfig; monitoring: MonitoringConfig; now: number; deadline?: AbortSignal },
): Promise<ProblemsResult> {
  const { now } = context;
  // Each alert that answered, with what its answer and findings showed (by name: a name's last answer counts).
  const seen = new Map<string, { alert: AlertBase; observations: ProblemObservation[] }>();
  const unproven: SearchAlertDef[] = [];
  const answerErrors: string[] = [];
  const judged = (observations: readonly ProblemObservation[], kind: string) => observations.some((o) => o.kind === kind);
  for (const item of evaluated) {
    if (!item.ok) continue;
    // What the alert's own search answer showed, read by the evaluate stage (the answer itself is gone by now).
    const observations: ProblemObservation[] = item.answer ? item.answer.slice() : [];
    if (item.answer) {
      const alert = item.alert as SearchAlertDef;
      // Hits in the window prove the time field as well as the field check would, for a day: the proof is stamped
      // once half of that day is gone, not at every run with hits (each stamp rewrites the alert's state: with the
      // cluster store its alert: document, every minute for every alert whose window has events).
      if (judged(observations, PROBLEM_KIND.timestamp)) {
        if (hitsStampDue(data, alert.name, now)) (data.alerts[alert.name] ??= { keys: plainMap() }).fieldsCheckedAt = now;
      }
      // Nothing in the window, on a pattern that matches indices: a quiet minute, or a time field no event has.
      else if (judged(observations, PROBLEM_KIND.index) && !observations.some((o) => o.message) && fieldCheckDue(data, alert.name, now)) unproven.push(alert);
    }
    if (item.answerError) answerErrors.push(`alert ${item.alert.name}: what its search answer shows about whether it can fire could not be read (${item.answerError}); its findings stand`);
    const template = templateProblem(item.alert, item.findings, item.window);
    if (template) observations.push(template);
    seen.set(item.alert.name, { alert: item.alert, observations });
  }
  let requests = 0;
  if (unproven.length && context.elasticsearch && !context.deadline?.aborted) {
    const checked = await checkTimestampFields(context.elasticsearch, unproven, context.deadline);
    requests = checked.requests;
    for (const alert of unproven) {
      const state = (data.alerts[alert.name] ??= { keys: plainMap() });
      // Only a check the cluster answered waits a day; a failed one is tried again in an hour.
      if (checked.answered.has(alert.name)) {
        state.fieldsCheckedAt = now;
        delete state.fieldsCheckFailedAt;
      } else state.fieldsCheckFailedAt = now;
      const observation = checked.observations.get(alert.name);
      if (observation) seen.get(alert.name)!.observations.push(observation);
    }
  }
  const result: ProblemsResult = { warnings: answerErrors, audit: [], deliveries: [], requests };
  for (const [name, { alert, observations }] of seen) {
    const state = (data.alerts[name] ??= { keys: plainMap() });
    // The settings are only compared with a remembered problem and stamped on a seen one: most alerts have neither.
    if (hasEntries(state.problems) || observations.some((o) => o.message !== undefined)) {
      const against = judgedAgainst(alert);
      // A kind this run judges is updated by what it saw (told fixed, or its new message); one it cannot judge is
      // forgotten when the settings it was judged against changed.
      const unjudged = Object.fromEntries(Object.entries(against).filter(([kind]) => !observations.some((o) => o.kind === kind)));
      for (const kind of forgetChangedProblems(state, unjudged)) result.audit.push({ event: 'alert_problem_forgotten', alert: name, problem: kind, reason: 'the alert\'s settings it was judged against changed' });
      for (const o of observations) if (against[o.kind] !== undefined) o.against = against[o.kind];
    }
    for (const news of updateProblems(state, observations, now)) tell(result, name, news, context.monitoring, now);
  }
  return result;
}

/** Whether an object (an alert's remembered problems) has any own key. */
function hasEntries(value: object | undefined): boolean {
  if (value === undefined || value === null) return false;
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return true;
  return false;
}

/** Whether hits in the window should stamp the alert's time field as proven: never stamped, half a day ago or more, or ahead of the clock. */
function hitsStampDue(data: StateData, alert: string, now: number): boolean {
  const at = data.alerts[alert]?.fieldsCheckedAt;
  return typeof at !== 'number' || now - at >= FIELD_CHECK_EVERY / 2 || at > now;
}

/** Whether the alert's timestamp_field is due for the field check: never checked, a day ago or more, or "checked" ahead of the clock. */
function fieldCheckDue(data: StateData, alert: string, now: number): boolean {
  const failed = data.alerts[alert]?.fieldsCheckFailedAt;
  if (typeof failed === 'number' && failed <= now && now - failed < FIELD_CHECK_RETRY) return false;
  const at = data.alerts[alert]?.fieldsCheckedAt;
  return typeof at !== 'number' || now - at >= FIELD_CHECK_EVERY || at > now;
}

/** What each kind of problem of an alert is judged against (its settings, as JSON): a change to them forgets the problem. */
function judgedAgainst(alert: AlertBase): Record<string, string> {
  const a = alert as AlertBase & { index?: unknown; group_by?: unknown; timestamp_field?: unknown; condition?: unknown; query?: { aggs?: unknown; aggregations?: unknown }; feedback?: unknown };
  // Keys sorted and unset values left out: an alert completed afresh and one read from the parse cache compare equal.
  const json = (...parts: unknown[]) => JSON.stringify(parts, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v));
  return {
    [PROBLEM_KIND.index]: json(a.source, a.index),
    [PROBLEM_KIND.groupBy]: json(a.index, a.group_by),
    [PROBLEM_KIND.timestamp]: json(a.index, a.timestamp_field),
    [PROBLEM_KIND.buckets]: json(a.index, a.condition, a.query?.aggs ?? a.query?.aggregations),
    [PROBLEM_KIND.template]: json(a.title, a.message, a.feedback),
  };
}

/** Adds what is told about one problem: a stderr line (problems only), an audit line and a notice to each monitoring channel. */
function tell(result: ProblemsResult, alert: string, news: ProblemNews, monitoring: MonitoringConfig, now: number): void {
  const since = new Date(news.since).toISOString();
  const words = problemWords(news.kind);
  if (news.news === 'problem') {
    result.warnings.push(`alert ${alert} ${words.problem}: ${news.message} (seen since ${since}; said again once a day while it lasts)`);
    result.audit.push({ event: 'alert_problem', alert, problem: news.kind, message: news.message, since });
  } else result.audit.push({ event: 'alert_problem_fixed', alert, problem: news.kind, message: news.message, since });
  const title = `alertcron: alert ${alert} ${news.news === 'problem' ? words.problem : words.fixed}`;
  const message =
    news.news === 'problem'
      ? `${news.message}. Seen since ${since}; alertcron says so once a day while it lasts.`
      : `Gone: ${news.message} (it had been seen since ${since}).`;
  result.deliveries.push(...enqueue({ alert: SELF_ALERT, key: `${alert}/${news.kind}`, reason: news.news === 'problem' ? 'cannot_fire' : 'can_fire', title, message }, monitoring.notify, now));
}
