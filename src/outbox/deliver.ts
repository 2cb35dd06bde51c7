import type { DeliveryConfig } from '../model/config.js';
import type { Receipt } from '../model/receipt.js';
import type { PendingDelivery } from '../model/state.js';
import { DeliveryError } from '../notify/types.js';
import { errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/mapLimit.js';
import { redact } from '../util/redact.js';

/** Sends one pending item once (a channel's notice or a source's action); throws a DeliveryError on failure. */
export type Sender = (item: PendingDelivery, signal: AbortSignal) => Promise<Receipt | void>;

/** How one pending item ended in this run: accepted (with its receipt), failed, or muted just before sending. */
export type DeliveryOutcome =
  | { id: string; ok: true; attempts: number; receipt?: Receipt }
  | { id: string; ok: false; attempts: number; error: string; retryable: boolean }
  | { id: string; ok: false; attempts: 0; muted: string };

/** Longest wait between two attempts inside one run, whatever Retry-After asks for. */
const MAX_RETRY_WAIT_MS = 10_000;

/**
 * Sends every pending item concurrently (bounded), each with a short retry that honours Retry-After, all within
 * the run's deadline; what is not accepted by then stays pending for the next run. `muted` is asked again just
 * before each item is sent; `onAccepted` hears of each accepted item at once (to journal it).
 */
export async function deliverAll(
  pending: PendingDelivery[],
  senderFor: (item: PendingDelivery) => Sender | string,
  options: DeliveryConfig,
  muted: (item: PendingDelivery) => string | undefined = () => undefined,
  onAccepted: (id: string, receipt: Receipt | undefined) => void = () => undefined,
): Promise<DeliveryOutcome[]> {
  const deadline = AbortSignal.timeout(Math.max(0, options.deadline));
  const deadlineAt = Date.now() + options.deadline;

  const deliverOne = async (item: PendingDelivery): Promise<DeliveryOutcome> => {
    const reason = muted(item);
    if (reason) return { id: item.id, ok: false, attempts: 0, muted: reason };
    // Never start a send after the deadline: it would be cut off half-way, or accepted after we gave up on it.
    if (deadline.aborted || Date.now() >= deadlineAt - 500) return { id: item.id, ok: false, attempts: 0, error: 'not sent: the run reached its delivery deadline', retryable: true };
    const send = senderFor(item);
    if (typeof send === 'string') return { id: item.id, ok: false, attempts: 0, error: send, retryable: false };
    let attempts = 0;
    for (;;) {
      attempts++;
      let receipt: Receipt | void;
      try {
        const signal = AbortSignal.any([deadline, AbortSignal.timeout(options.attempt_timeout)]);
        receipt = await send(item, signal);
      } catch (error) {
        const failure = error instanceof DeliveryError ? error : new DeliveryError(errorMessage(error), true);
        const wait = Math.min(failure.retryAfterMs ?? 1000 * attempts, MAX_RETRY_WAIT_MS);
        const canRetry = failure.retryable && !failure.nextRunOnly && attempts <= options.retries && Date.now() + wait < deadlineAt - 1000;
        if (!canRetry) return { id: item.id, ok: false, attempts, error: redact(failure.message), retryable: failure.retryable };
        await sleep(wait, deadline);
        continue;
      }
      // Accepted: whatever happens to the journal now, it must not count as a failed send (and be sent again).
      try {
        onAccepted(item.id, receipt ?? undefined);
      } catch {
        /* the state's commit at the end of the run records it all the same */
      }
      return { id: item.id, ok: true, attempts, ...(receipt ? { receipt } : {}) };
    }
  };

  return mapLimit(pending, options.concurrency, deliverOne);
}


function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
