import type { AlertBase } from '../model/alert.js';
import type { Source } from '../sources/types.js';
import { evaluateOne, type EvaluateOptions, type Evaluated } from './evaluate.js';
import { fetchStage, type Fetched, type FetchStageResult } from './fetch.js';
import type { DueAlert } from './plan.js';

/** The fetch stage's result without its outcomes (they are evaluated and gone), and the evaluated alerts. */
export interface FetchedAndEvaluated<A extends AlertBase> {
  fetch: Omit<FetchStageResult<A>, 'fetched'>;
  evaluated: Evaluated<A>[];
}

/**
 * The fetch and evaluate stages of a run, each answer evaluated as soon as its source has it final (an `_msearch`
 * chunk's answers while the next chunk is searched) and then dropped, the others once the fetch ended; the
 * evaluated alerts come in the order fetchStage gives them, exactly as evaluateStage over its outcomes would.
 * `fetched` is called when the fetch ends (the run's stage clock).
 */
export async function fetchAndEvaluate<A extends AlertBase>(
  due: readonly DueAlert<A>[],
  sources: ReadonlyMap<string, Source>,
  now: number,
  deadline: AbortSignal,
  savedOf: ((alert: string) => unknown) | undefined,
  ruleStateOf: (alert: string) => unknown,
  options: EvaluateOptions & { fetched?: () => void },
): Promise<FetchedAndEvaluated<A>> {
  const evaluating: Promise<Evaluated<A>>[] = [];
  // An evaluation begun early may be replaced (below) and then never awaited: its failure is marked handled at once
  // (Promise.all still sees it when it is kept).
  const early = (index: number, item: Fetched<A>) => {
    const evaluation = evaluateOne(item, ruleStateOf, options);
    evaluation.catch(() => {});
    evaluating[index] = evaluation;
  };
  const { fetched, ...fetch } = await fetchStage(due, sources, now, deadline, savedOf, early);
  options.fetched?.();
  // An outcome in `fetched` replaces any told before: a source cut by the deadline fails all its alerts.
  fetched.forEach((item, index) => {
    if (item) evaluating[index] = evaluateOne(item, ruleStateOf, options);
  });
  fetched.length = 0;
  return { fetch, evaluated: await Promise.all(evaluating) };
}
