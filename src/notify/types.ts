/** What one channel is asked to send: already rendered from templates, still raw (each channel escapes for itself). */
export interface Notification {
  alert: string;
  key: string;
  reason: string;
  title: string;
  message: string;
  /** Tags to write back (internal TheHive channel only). */
  tags?: string[];
  /** Recipients that replace the channel's own: a case's reporter, or those a server refused for now (validated). */
  to?: string[];
}

/** A channel ready to send: one attempt per call; retries live in deliver(). */
export interface Notifier {
  name: string;
  send(notification: Notification, signal: AbortSignal): Promise<void>;
  /**
   * How many sends the channel can have in flight (e.g. its pooled SMTP connections): deliver() waits for a
   * free one before it starts an attempt's timer, so the timer measures the send, not a queue. Unset: no limit.
   */
  slots?: number;
  /** Releases what the notifier keeps open between sends (e.g. pooled SMTP connections). */
  close?(): void;
}

/** A failed send, telling whether trying again may help, how long the other side asked us to wait, and who still needs it. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    /** Some recipients accepted it: only these still need it (email channels). */
    readonly remainingTo?: string[],
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
