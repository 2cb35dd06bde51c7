import { parseRetryAfter, DeliveryError } from './types.js';

/** The one rule for every service: 429, 408 and 5xx are worth retrying; other answers are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Classifies an HTTP answer of a notification service by isRetryableStatus. */
export function httpFailure(service: string, status: number, detail: string, retryAfterMs?: number): DeliveryError {
  return new DeliveryError(`${service} answered HTTP ${status}${detail ? ` ${detail}` : ''}`, isRetryableStatus(status), retryAfterMs);
}

/** Classifies a request that got no answer: a timeout or a connection that failed; both are worth retrying. */
export function networkFailure(service: string, error: unknown): DeliveryError {
  const e = error as { name?: string; code?: string };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new DeliveryError('timed out', true);
  return new DeliveryError(`could not reach ${service}${e.code ? ` (${e.code})` : ''}`, true);
}

/** Reads a Retry-After header from node's response headers. */
export function retryAfterHeader(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = headers['retry-after'];
  return parseRetryAfter(Array.isArray(value) ? value[0] : value);
}
