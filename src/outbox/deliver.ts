import type { DeliveryConfig } from '../model/config.js';
import type { Receipt } from '../model/receipt.js';
import { targetOf, type PendingDelivery } from '../model/state.js';
import { DeliveryError } from '../notify/types.js';
import { errorMessage } from '../util/errors.js';
import { fairMapLimit } from '../util/fairMapLimit.js';
import { redact } from '../util/redact.js';
import { boundedSignal } from '../util/signal.js';

/**
 * Sends one pending item once (a channel's notice or a source's action); throws a DeliveryError on failure.
 * `slot`, when set, waits until the target can take one more send (e.g. a free pooled SMTP connection) and
 * returns the function that gives the slot back: the attempt's timer starts only then.
 */
export type Sender = ((item: PendingDelivery, signal: AbortSignal) => Promise<Receipt | void>) & { slot?: () => Promise<() => void> };

/**
 * How one pending item ended in this run: accepted (with its receipt), failed, or muted just before sending. A
 * failure may name the recipients that still need it (`to`: the others accepted it) and how long the other side
 * asked us to wait (`retryAfterMs`).
 */
export type DeliveryOutcome =
  | { id: string; ok: true; attempts: number; receipt?: Receipt }
  | { id: string; ok: false; attempts: number; error: string; retryable: boolean; to?: string[]; retryAfterMs?: number; partial?: Receipt }
  | { id: string; ok: false; attempts: 0; muted: string };

/** Longest wait between two attempts inside one run; a longer Retry-After leaves the item to a run after that time. */
export const MAX_RETRY_WAIT_MS = 10_000;

/**
 * The delivery limits of one call: no attempt starts after `deadline` (nor after `finishWithin`); one under way then
 * ends by its own attempt_timeout, and at the latest `finishWithin` ms from now (a little before the run's end).
 * `channelLimit` is a channel's own cap on sends in flight, besides `concurrency` and its fair share of it.
 */
export type DeliveryLimits = DeliveryConfig & { finishWithin?: number; channelLimit?: (item: PendingDelivery) => number | undefined };

/**
 * Sends every pending item concurrently (bounded), each with a short retry that honours Retry-After, all started
 * before the deadline; what is not accepted by then stays pending for the next run. An attempt under way at the
 * deadline is not cut off: the other side may already have it (a mail whose DATA the server has), and giving up
 * would send it twice. `muted` is asked again just before each item is sent; `onAccepted` hears of each accepted
 * item at once (to journal it), and the item's slot is freed only once the promise it returns settles.
 */
export async function deliverAll(
  pending: PendingDelivery[],
  senderFor: (item: PendingDelivery) => Sender | string,
  options: DeliveryLimits,
  muted: (item: PendingDelivery) => string | undefined = () => undefined,
  onAccepted: (id: string, receipt: Receipt | undefined) => Promise<void> | void = () => undefined,
): Promise<DeliveryOutcome[]> {
  // No attempt starts after the delivery deadline, nor after the time by which every attempt must have ended.
  const startWithin = Math.max(0, Math.min(options.deadline, options.finishWithin ?? Infinity));
  const stop = boundedSignal([], startWithin);
  const deadline = stop.signal;
  const deadlineAt = Date.now() + startWithin;
  // The retry waits of every item end at the deadline through this one listener (no MaxListenersExceededWarning).
  const wakeAtDeadline = new Set<() => void>();
  deadline.addEventListener('abort', () => wakeAtDeadline.forEach((wake) => wake()), { once: true });
  // Attempts under way at the deadline end by their own attempt_timeout, and at the latest at `finishWithin`.
  const finish = boundedSignal([], Math.max(0, options.finishWithin ?? options.deadline));

  const deliverOne = async (item: PendingDelivery): Promise<DeliveryOutcome> => {
    const reason = muted(item);
    if (reason) return { id: item.id, ok: false, attempts: 0, muted: reason };
    const send = senderFor(item);
    if (typeof send === 'string') return { id: item.id, ok: false, attempts: 0, error: send, retryable: false };
    let attempts = 0;
    let failed: Extract<DeliveryOutcome, { error: string }> | undefined;
    for (;;) {
      // The attempt's timer starts once the target can send (a free SMTP connection) ...
      const release = send.slot ? await send.slot() : undefined;
      let receipt: Receipt | void = undefined;
      let wait: number | undefined;
      try {
        // ... and never after the deadline: it would be cut off half-way, or accepted after we gave up on it.
        if (deadline.aborted || Date.now() >= deadlineAt - 500) return failed ?? { id: item.id, ok: false, attempts, error: 'not sent: the run reached its delivery deadline', retryable: true };
        attempts++;
        const attempt = boundedSignal([finish.signal], options.attempt_timeout);
        try {
          receipt = await send(item, attempt.signal);
        } catch (error) {
          const failure = error instanceof DeliveryError ? error : new DeliveryError(errorMessage(error), true);
          // Some recipients accepted it, or the other side asked for more than the in-run cap: a later run tries.
          const later = failure.nextRunOnly || !!failure.remainingTo || (failure.retryAfterMs ?? 0) > MAX_RETRY_WAIT_MS;
          wait = failure.retryAfterMs ?? 1000 * attempts;
          const canRetry = failure.retryable && !later && attempts <= options.retries && Date.now() + wait < deadlineAt - 1000;
          failed = { id: item.id, ok: false, attempts, error: redact(failure.message), retryable: failure.retryable, ...(failure.remainingTo ? { to: failure.remainingTo } : {}), ...(failure.partial ? { partial: failure.partial } : {}), ...(failure.retryAfterMs ? { retryAfterMs: failure.retryAfterMs } : {}) };
          if (!canRetry) return failed;
        } finally {
          attempt.done();
        }
      } finally {
        release?.();
      }
      if (wait !== undefined) {
        await sleep(wait, wakeAtDeadline);
        continue;
      }
      // Accepted: the item keeps its slot until the journal has it on disk, so that a kill repeats at most the sends
      // in flight. Whatever happens to the journal, it must not count as a failed send (and be sent again).
      try {
        await onAccepted(item.id, receipt ?? undefined);
      } catch {
        /* the state's commit at the end of the run records it all the same */
      }
      return { id: item.id, ok: true, attempts, ...(receipt ? { receipt } : {}) };
    }
  };

  // Each channel (or source action) is a lane with its fair share of the slots: one that hangs holds only its share.
  const capOf = new Map(pending.map((item) => [targetOf(item), options.channelLimit?.(item) ?? options.concurrency]));
  return fairMapLimit(pending, options.concurrency, targetOf, (lane) => capOf.get(lane) ?? options.concurrency, deliverOne).finally(() => {
    finish.done();
    stop.done();
  });
}


function sleep(ms: number, wakeAtDeadline: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      wakeAtDeadline.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    wakeAtDeadline.add(wake);
  });
}
