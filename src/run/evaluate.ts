import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { ruleTypeOf } from '../rules/registry.js';
import { eventsLeftOut } from '../sources/elasticsearch/groupPages.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import type { SearchRequest } from '../model/search.js';
import { answerProblems } from '../inspect/answerProblems.js';
import type { ProblemObservation } from '../policy/alertProblems.js';
import type { RuleAlert } from '../rules/types.js';
import type { Observed } from '../rules/observed.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import type { Fetched } from './fetch.js';

/**
 * One due alert after evaluation: its findings and the rule state to keep, or its error. `incomplete` says why the
 * findings may not be all; `keysLeftOut` counts the events of group_by keys the search left out (beyond group_size);
 * `unjudged` are keys seen but not wholly judged (kept from resolving), `note` a warning that leaves the answer complete,
 * `observed` the number the rule type compared (for backtest charts), `answer` what the alert's own search answer showed
 * about whether it can fire (inspect/answerProblems: read here, so that no answer outlives this stage).
 */
export type Evaluated<A extends AlertBase = AlertBase> = Found<A> | Failed<A>;

/** An alert evaluated: its findings and what goes with them. */
export interface Found<A extends AlertBase = AlertBase> { alert: A; window: Window; request: unknown; ok: true; findings: Finding[]; ruleState?: unknown; incomplete?: string; keysLeftOut?: number; unjudged?: string[]; note?: string; observed?: Observed; answer?: ProblemObservation[]; /** Why `answer` could not be read (the findings stand). */ answerError?: string }

/** An alert whose search or evaluation failed: its error (rejected: the cluster refused the request itself). */
export interface Failed<A extends AlertBase = AlertBase> { alert: A; window: Window; request: unknown; ok: false; error: string; rejected?: true }

/** What the evaluate stage keeps besides the findings: each alert's request (for reports that show it; else undefined). */
export interface EvaluateOptions {
  requests?: boolean;
  /** Whether to read what each answer shows about whether its alert can fire (default true; backtest and test do not use it). */
  problems?: boolean;
}

/**
 * Turns each source outcome into findings: a search response through the alert's rule type (with the rule's
 * saved state), ready findings as they are; an error stays that alert's error. A search answer is read once here
 * (findings, and what it shows about whether the alert can fire): nothing returned refers to it, nor to the
 * request unless `options.requests` (default true) asks for it, so both are collected once the caller drops `fetched`.
 */
export async function evaluateStage<A extends AlertBase>(fetched: readonly Fetched<A>[], ruleStateOf: (alert: string) => unknown, options: EvaluateOptions = {}): Promise<Evaluated<A>[]> {
  return Promise.all(fetched.map((item) => evaluateOne(item, ruleStateOf, options)));
}

/** One alert's outcome turned into findings, as evaluateStage does for each. */
export async function evaluateOne<A extends AlertBase>({ plan, outcome }: Fetched<A>, ruleStateOf: (alert: string) => unknown, options: EvaluateOptions = {}): Promise<Evaluated<A>> {
  const request = (options.requests ?? true) ? plan.request : undefined;
  // Typed literals with their optional fields assigned after, not spreads: the compiler checks every key, and
  // every alert's result shares one transition tree of hidden classes (util/merged.ts says why that matters).
  const failed = (error: string): Failed<A> => ({ alert: plan.alert, window: plan.window, request, ok: false, error });
  const found = (findings: Finding[]): Found<A> => ({ alert: plan.alert, window: plan.window, request, ok: true, findings });
  if (!outcome.ok) {
    const result = failed(outcome.error);
    if (outcome.rejected) result.rejected = true;
    return result;
  }
  if ('findings' in outcome) {
    // An item source's cursor is kept like a rule's state: saved only when the alert's run succeeds.
    const result = found(outcome.findings);
    if (outcome.incomplete) result.incomplete = outcome.incomplete;
    if (outcome.saved !== undefined) result.ruleState = outcome.saved;
    return result;
  }
  try {
    const alert = plan.alert as unknown as RuleAlert;
    const rule = ruleTypeOf(alert.condition);
    // Awaited only when the rule type answers with a promise (script): a plain answer is read now, so that the
    // response is not held until a later microtask (with an _msearch chunk's answers told at once, every answer of
    // the chunk was held until the last was evaluated, and promoted to the old space meanwhile).
    const judged = rule.evaluate({ alert, condition: alert.condition, window: plan.window, response: outcome.response, state: ruleStateOf(alert.name) });
    const output = typeof (judged as { then?: unknown }).then === 'function' ? await judged : (judged as Awaited<typeof judged>);
    // The events of group_by keys the search left out even after its pages of group_size (not a note of another kind).
    const leftOut = alert.group_by !== undefined ? eventsLeftOut(outcome.response) : 0;
    const result = found(output.findings);
    if (output.state !== undefined) result.ruleState = output.state;
    if (output.incomplete) result.incomplete = output.incomplete;
    if (output.unjudged?.length) result.unjudged = output.unjudged;
    if (output.note) result.note = output.note;
    if (leftOut > 0) result.keysLeftOut = leftOut;
    if (output.observed) result.observed = output.observed;
    if (plan.alert.source === 'elasticsearch' && (options.problems ?? true)) readProblems(result, plan.alert as unknown as SearchAlertDef, plan.request as SearchRequest | undefined, outcome.response);
    return result;
  } catch (error) {
    return failed(redact(errorMessage(error)));
  }
}

/** What the answer shows about whether the alert can fire, on `result`; a failure to read it costs only that (no observations, `answerError`). */
function readProblems(result: Found<AlertBase>, alert: SearchAlertDef, request: SearchRequest | undefined, response: Parameters<typeof answerProblems>[2]): void {
  try {
    result.answer = answerProblems(alert, request, response);
  } catch (error) {
    result.answerError = redact(errorMessage(error));
  }
}
