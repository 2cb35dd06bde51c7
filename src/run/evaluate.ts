import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { ruleTypeOf } from '../rules/registry.js';
import { eventsLeftOut } from '../sources/elasticsearch/groupPages.js';
import type { RuleAlert } from '../rules/types.js';
import type { Observed } from '../rules/observed.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { merged } from '../util/merged.js';
import type { Fetched } from './fetch.js';

/**
 * One due alert after evaluation: its findings and the rule state to keep, or its error. `incomplete` says why the
 * findings may not be all; `keysLeftOut` counts the events of group_by keys the search left out (beyond group_size);
 * `unjudged` are keys seen but not wholly judged (kept from resolving), `note` a warning that leaves the answer complete,
 * `observed` the number the rule type compared (for backtest charts).
 */
export type Evaluated<A extends AlertBase = AlertBase> =
  | { alert: A; window: Window; request: unknown; ok: true; findings: Finding[]; ruleState?: unknown; incomplete?: string; keysLeftOut?: number; unjudged?: string[]; note?: string; observed?: Observed }
  | { alert: A; window: Window; request: unknown; ok: false; error: string; rejected?: true };

/**
 * Turns each source outcome into findings: a search response through the alert's rule type (with the rule's
 * saved state), ready findings as they are; an error stays that alert's error.
 */
export async function evaluateStage<A extends AlertBase>(fetched: readonly Fetched<A>[], ruleStateOf: (alert: string) => unknown): Promise<Evaluated<A>[]> {
  return Promise.all(
    fetched.map(async ({ plan, outcome }): Promise<Evaluated<A>> => {
      const base = { alert: plan.alert, window: plan.window, request: plan.request };
      if (!outcome.ok) return merged<Evaluated<A>>(base, { ok: false, error: outcome.error }, !!outcome.rejected && { rejected: true as const });
      if ('findings' in outcome) {
        // An item source's cursor is kept like a rule's state: saved only when the alert's run succeeds.
        return merged<Evaluated<A>>(base, { ok: true, findings: outcome.findings }, !!outcome.incomplete && { incomplete: outcome.incomplete }, outcome.saved !== undefined && { ruleState: outcome.saved });
      }
      try {
        const alert = plan.alert as unknown as RuleAlert;
        const rule = ruleTypeOf(alert.condition);
        const output = await rule.evaluate({ alert, condition: alert.condition, window: plan.window, response: outcome.response, state: ruleStateOf(alert.name) });
        // The events of group_by keys the search left out even after its pages of group_size (not a note of another kind).
        const leftOut = alert.group_by !== undefined ? eventsLeftOut(outcome.response) : 0;
        // Built by merged, not spread: one hidden class for every alert's result (util/merged.ts).
        return merged<Evaluated<A>>(base, { ok: true, findings: output.findings }, output.state !== undefined && { ruleState: output.state }, !!output.incomplete && { incomplete: output.incomplete }, !!output.unjudged?.length && { unjudged: output.unjudged }, !!output.note && { note: output.note }, leftOut > 0 && { keysLeftOut: leftOut }, !!output.observed && { observed: output.observed });
      } catch (error) {
        return merged<Evaluated<A>>(base, { ok: false, error: redact(errorMessage(error)) });
      }
    }),
  );
}
