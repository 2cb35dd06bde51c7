/** A signal bounded by a timer and its parents, and the function that releases its timer and listeners once the work ended. */
export interface BoundedSignal {
  signal: AbortSignal;
  /** Releases the timer and the listeners on the parents (the signal stays as it is); safe to call twice. */
  done(): void;
}

/**
 * A signal that aborts when any parent aborts (with the parent's reason) or when `timeoutMs` has passed (with a
 * TimeoutError, as AbortSignal.timeout does). Unlike AbortSignal.any over AbortSignal.timeout, whose timer signal is
 * only weakly held on node 20 and can be garbage-collected before it fires, its timer is a plain timer that holds
 * the signal: it fires on time, however long the work waits. The timer does not keep the process alive.
 */
export function boundedSignal(parents: readonly (AbortSignal | undefined)[], timeoutMs?: number): BoundedSignal {
  const controller = new AbortController();
  const sources = parents.filter((parent): parent is AbortSignal => parent !== undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unfollows: (() => void)[] = [];
  const done = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const unfollow of unfollows.splice(0)) unfollow();
  };
  const abort = (reason: unknown) => {
    done();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const fired = sources.find((source) => source.aborted);
  if (fired) {
    controller.abort(fired.reason);
    return { signal: controller.signal, done };
  }
  for (const source of sources) unfollows.push(follow(source, abort));
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => abort(timeoutReason()), Math.max(0, timeoutMs));
    timer.unref?.();
  }
  return { signal: controller.signal, done };
}

/** The children of each parent signal: one abort listener per parent, however many children (no MaxListenersExceededWarning). */
const children = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

/** Calls `onAbort` with the parent's reason when it aborts, through the parent's one shared listener; returns the function that stops following it. */
export function follow(parent: AbortSignal, onAbort: (reason: unknown) => void): () => void {
  let set = children.get(parent);
  if (!set) {
    const created = new Set<(reason: unknown) => void>();
    children.set(parent, created);
    parent.addEventListener('abort', () => [...created].forEach((child) => child(parent.reason)), { once: true });
    set = created;
  }
  set.add(onAbort);
  return () => set.delete(onAbort);
}

/** The signals of one stage's calls: `call` bounds each by `callMs` and what is left of the budget, `spent` says it ran out, `done` releases them. */
export interface StageSignals {
  /** A signal for one call; already aborted (nothing starts) once the stage's budget is spent. */
  call(): AbortSignal;
  /** Whether the stage's budget is spent. */
  spent(): boolean;
  /** Releases the timers of every call's signal; call it when the stage ends. */
  done(): void;
}

/** Signals for the calls of a stage that must end by `endsAt` (epoch ms), each call at most `callMs`. */
export function stageSignals(endsAt: number, callMs: number): StageSignals {
  const open = new Set<BoundedSignal>();
  const spent = () => Date.now() >= endsAt;
  return {
    call() {
      if (spent()) return AbortSignal.abort(timeoutReason());
      const bounded = boundedSignal([], Math.min(callMs, endsAt - Date.now()));
      open.add(bounded);
      bounded.signal.addEventListener('abort', () => open.delete(bounded), { once: true });
      return bounded.signal;
    },
    spent,
    done() {
      for (const bounded of open) bounded.done();
      open.clear();
    },
  };
}

/** A bounded signal whose timer can be pushed back (stretch) while it has not fired. */
export interface StretchableSignal extends BoundedSignal {
  /** Pushes the timer back by `ms` (time that must not count against the timeout); nothing once it fired or is done. */
  stretch(ms: number): void;
}

/**
 * Like boundedSignal, with a timer that `stretch` pushes back: a request's timeout that leaves out the time the
 * process spent on other work (the answer may have arrived meanwhile, unread).
 */
export function stretchableSignal(parents: readonly (AbortSignal | undefined)[], timeoutMs: number): StretchableSignal {
  const timeout = new AbortController();
  const bounded = boundedSignal([...parents, timeout.signal]);
  let endsAt = performance.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    timer = setTimeout(() => {
      timer = undefined;
      timeout.abort(timeoutReason());
    }, Math.max(0, endsAt - performance.now()));
    timer.unref?.();
  };
  const done = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    bounded.done();
  };
  if (!bounded.signal.aborted) arm();
  return {
    signal: bounded.signal,
    done,
    stretch(ms: number) {
      if (timer === undefined || ms <= 0) return;
      clearTimeout(timer);
      endsAt += ms;
      arm();
    },
  };
}

/** The reason a signal ends with when its time is up: the TimeoutError DOMException AbortSignal.timeout gives. */
export function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}
