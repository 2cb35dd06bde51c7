import type { AlertBase } from '../model/alert.js';
import type { FetchOutcome, PlannedRequest, Source } from '../sources/types.js';
import type { DueAlert } from './plan.js';

/** One due alert after its source answered: the plan (with the request sent) and the outcome. */
export interface Fetched<A extends AlertBase = AlertBase> {
  plan: PlannedRequest<A>;
  outcome: FetchOutcome;
}

/**
 * What the fetch stage gives back: an outcome per due alert (none for one told to `settle`), each source's failure
 * (its health), and the calls made.
 */
export interface FetchStageResult<A extends AlertBase> {
  fetched: (Fetched<A> | undefined)[];
  /** Per source that was asked: its failure, or undefined when it answered. */
  health: Map<string, string | undefined>;
  calls: Record<string, number>;
  /** Per source that reports it: its own time answering (FetchResult.tookMs). */
  tookMs: Record<string, number>;
  /** Per source that was asked: the wall time of its fetch, requests and waits included, the time in `settle` while none of its requests was in flight not (ms, until the deadline at most). */
  elapsedMs: Record<string, number>;
}

/**
 * Groups the due alerts by source, plans each request (with what the source saved after the alert's last
 * successful read, from `savedOf`), and fetches every source concurrently with the others; an alert whose source
 * is not configured fails alone. With `settle`, an outcome a source gives before its fetch ends (Source.fetch) is
 * told there at once, by its place in `fetched` (where it then has none), unless the run's deadline cuts that
 * source short: then all its alerts get the deadline's error in `fetched`, as without `settle`.
 */
export async function fetchStage<A extends AlertBase>(
  due: readonly DueAlert<A>[],
  sources: ReadonlyMap<string, Source>,
  now: number,
  deadline: AbortSignal,
  savedOf: (alert: string) => unknown = () => undefined,
  settle?: (index: number, item: Fetched<A>) => void,
): Promise<FetchStageResult<A>> {
  const bySource = new Map<string, DueAlert<A>[]>();
  for (const d of due) {
    const list = bySource.get(d.alert.source);
    if (list) list.push(d);
    else bySource.set(d.alert.source, [d]);
  }
  const result: FetchStageResult<A> = { fetched: [], health: new Map(), calls: {}, tookMs: {}, elapsedMs: {} };
  // Each source's alerts take their places in `fetched` in turn.
  let offset = 0;
  const groups = [...bySource].map(([name, items]) => ({ name, items, offset: (offset += items.length) - items.length }));
  const answers = await Promise.all(
    groups.map(async ({ name, items, offset: first }) => {
      const source = sources.get(name) as Source<A> | undefined;
      if (!source) {
        const error = `alertcron.yaml has no ${name}: section`;
        return { name, items: items.map((d) => ({ plan: { alert: d.alert, window: d.window, request: undefined }, outcome: { ok: false as const, error } })) };
      }
      const plans = items.map((d) => source.plan(d.alert, d.window, savedOf(d.alert.name)));
      const begun = performance.now();
      const late = `the run reached its deadline (run.deadline) before ${name} answered; the window will be searched again next run`;
      // Told only until the source's fetch ends or the deadline cuts it (then every alert of it fails as late).
      let open = true;
      const told = new Array<boolean>(plans.length);
      // The time spent in `settle` (evaluating) while no request of the source was in flight is not the source's:
      // it is left out of elapsedMs; told while a request was in flight (overlapped), it is the source's wait too.
      let settling = 0;
      const tell = settle && ((i: number, outcome: FetchOutcome, overlapped?: boolean) => {
        if (!open || told[i] || i < 0 || i >= plans.length) return;
        told[i] = true;
        const begin = performance.now();
        settle(first + i, { plan: plans[i]!, outcome });
        if (!overlapped) settling += performance.now() - begin;
      });
      const cut = () => {
        open = false;
        told.fill(false);
        return { outcomes: plans.map(() => ({ ok: false as const, error: late })), calls: 0, failure: late };
      };
      const answer = await beforeDeadline(source.fetch(plans, now, deadline, tell), deadline, cut);
      open = false;
      result.elapsedMs[name] = Math.max(0, performance.now() - begun - settling);
      result.health.set(name, answer.failure);
      result.calls[name] = answer.calls;
      // Cut by the deadline, the fallback has no took: the source's own time is then unknown (absent), not 0.
      if (answer.tookMs !== undefined) result.tookMs[name] = answer.tookMs;
      return { name, items: plans.map((plan, i) => (told[i] ? undefined : { plan, outcome: answer.outcomes[i] ?? { ok: false as const, error: `no answer from ${name} for this alert` } })) };
    }),
  );
  for (const answer of answers) for (const item of answer.items) result.fetched.push(item);
  return result;
}

/** The work's result, or the fallback once the deadline passes first (the work is abandoned, not awaited). */
function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal, fallback: () => T): Promise<T> {
  if (deadline.aborted) return Promise.resolve(fallback());
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(fallback());
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
