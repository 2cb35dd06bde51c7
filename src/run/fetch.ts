import type { AlertBase } from '../model/alert.js';
import type { FetchOutcome, PlannedRequest, Source } from '../sources/types.js';
import type { DueAlert } from './plan.js';

/** One due alert after its source answered: the plan (with the request sent) and the outcome. */
export interface Fetched<A extends AlertBase = AlertBase> {
  plan: PlannedRequest<A>;
  outcome: FetchOutcome;
}

/** What the fetch stage gives back: an outcome per due alert, each source's failure (its health), and the calls made. */
export interface FetchStageResult<A extends AlertBase> {
  fetched: Fetched<A>[];
  /** Per source that was asked: its failure, or undefined when it answered. */
  health: Map<string, string | undefined>;
  calls: Record<string, number>;
}

/**
 * Groups the due alerts by source, plans each request, and fetches every source concurrently with the others;
 * an alert whose source is not configured fails alone.
 */
export async function fetchStage<A extends AlertBase>(due: readonly DueAlert<A>[], sources: ReadonlyMap<string, Source>, now: number): Promise<FetchStageResult<A>> {
  const bySource = new Map<string, DueAlert<A>[]>();
  for (const d of due) bySource.set(d.alert.source, [...(bySource.get(d.alert.source) ?? []), d]);
  const result: FetchStageResult<A> = { fetched: [], health: new Map(), calls: {} };
  const answers = await Promise.all(
    [...bySource].map(async ([name, items]) => {
      const source = sources.get(name) as Source<A> | undefined;
      if (!source) {
        const error = `alertcron.yaml has no ${name}: section`;
        return { name, items: items.map((d) => ({ plan: { alert: d.alert, window: d.window, request: undefined }, outcome: { ok: false as const, error } })) };
      }
      const plans = items.map((d) => source.plan(d.alert, d.window));
      const answer = await source.fetch(plans, now);
      result.health.set(name, answer.failure);
      result.calls[name] = answer.calls;
      return { name, items: plans.map((plan, i) => ({ plan, outcome: answer.outcomes[i] ?? { ok: false as const, error: `no answer from ${name} for this alert` } })) };
    }),
  );
  for (const answer of answers) result.fetched.push(...answer.items);
  return result;
}
