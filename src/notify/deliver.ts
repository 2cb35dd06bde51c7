import type { ChannelConfig, DeliveryConfig } from '../config/types.js';
import type { PendingDelivery } from '../state/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { formatDuration } from '../util/duration.js';
import { createNotifier } from './registry.js';
import { Slots } from './slots.js';
import { DeliveryError, type Notifier } from './types.js';

/**
 * How one pending delivery ended in this run. A failure may name the recipients that still need it (`to`: the
 * others accepted it) and how long the other side asked us to wait (`retryAfterMs`).
 */
export type DeliveryOutcome =
  | { id: string; ok: true; attempts: number }
  | { id: string; ok: false; attempts: number; error: string; retryable: boolean; to?: string[]; retryAfterMs?: number };

/** Longest wait between two attempts inside one run; a longer Retry-After leaves the delivery to a run after that time. */
const MAX_RETRY_WAIT_MS = 10_000;

/**
 * Sends every pending delivery concurrently (bounded), each with a short retry that honours Retry-After,
 * all within the run's deadline; what is not accepted by then stays pending for the next run.
 */
export async function deliverAll(pending: PendingDelivery[], channels: Record<string, ChannelConfig>, options: DeliveryConfig): Promise<DeliveryOutcome[]> {
  const deadline = AbortSignal.timeout(options.deadline);
  const deadlineAt = Date.now() + options.deadline;
  // The retry waits of every delivery end at the deadline through this one listener (no MaxListenersExceededWarning).
  const wakeAtDeadline = new Set<() => void>();
  deadline.addEventListener('abort', () => wakeAtDeadline.forEach((wake) => wake()), { once: true });
  const notifiers = new Map<string, Promise<Notifier>>();
  const slots = new Map<string, Slots>();
  const notifierFor = (channel: string) => {
    const config = channels[channel];
    if (!config) return undefined;
    if (!notifiers.has(channel)) notifiers.set(channel, createNotifier(channel, config));
    return notifiers.get(channel)!;
  };
  const slotsOf = (channel: string, size: number) => {
    if (!slots.has(channel)) slots.set(channel, new Slots(size));
    return slots.get(channel)!;
  };

  const deliverOne = async (item: PendingDelivery): Promise<DeliveryOutcome> => {
    const notifier = notifierFor(item.channel);
    if (!notifier) return { id: item.id, ok: false, attempts: 0, error: `channel "${item.channel}" is no longer configured`, retryable: false };
    let channel: Notifier;
    try {
      channel = await notifier;
    } catch (error) {
      return { id: item.id, ok: false, attempts: 0, error: redact(errorMessage(error)), retryable: true };
    }
    let attempts = 0;
    let failed: DeliveryOutcome | undefined;
    for (;;) {
      // The attempt's timer starts once the channel can send (a free SMTP connection), never after the deadline.
      const release = channel.slots ? await slotsOf(item.channel, channel.slots).acquire() : undefined;
      if (deadline.aborted) {
        release?.();
        return failed ?? { id: item.id, ok: false, attempts, error: `not attempted: the delivery deadline (${formatDuration(options.deadline)}) passed first`, retryable: true };
      }
      attempts++;
      try {
        const signal = AbortSignal.any([deadline, AbortSignal.timeout(options.attempt_timeout)]);
        await channel.send(item, signal);
        return { id: item.id, ok: true, attempts };
      } catch (error) {
        const failure = error instanceof DeliveryError ? error : new DeliveryError(errorMessage(error), true);
        // A partial failure (some recipients accepted) and a Retry-After beyond the cap wait for a later run.
        const later = !!failure.remainingTo || (failure.retryAfterMs ?? 0) > MAX_RETRY_WAIT_MS;
        const wait = failure.retryAfterMs ?? 1000 * attempts;
        const canRetry = failure.retryable && !later && attempts <= options.retries && Date.now() + wait < deadlineAt - 1000;
        failed = { id: item.id, ok: false, attempts, error: redact(failure.message), retryable: failure.retryable, to: failure.remainingTo, retryAfterMs: failure.retryAfterMs };
        if (!canRetry) return failed;
        release?.();
        await sleep(wait, wakeAtDeadline);
      } finally {
        release?.();
      }
    }
  };

  try {
    return await mapConcurrent(pending, options.concurrency, deliverOne);
  } finally {
    for (const notifier of notifiers.values()) notifier.then((n) => n.close?.(), () => undefined);
  }
}

async function mapConcurrent<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
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
