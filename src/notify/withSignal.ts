import { DeliveryError } from './types.js';

/** Runs one send, giving up (but not cancelling the SDK's request) when the run's signal fires. */
export async function withSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // A send given up on may still fail later: nobody waits for it then, and it must not end the run as an unhandled rejection.
  work.catch(() => undefined);
  if (signal.aborted) throw new DeliveryError('timed out', true);
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new DeliveryError('timed out', true));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
