import type { TwilioAccountConfig } from '../config/types.js';
import { DeliveryError } from './types.js';

/** The parts of the twilio SDK's client that the two Twilio channels use. */
export type TwilioClient = import('twilio').Twilio;

/** Twilio error codes that no retry can fix (bad number, unverified or unreachable number, body too long). */
const PERMANENT_CODES = new Set([21211, 21214, 21408, 21610, 21612, 21614, 21617, 13223, 13224, 21215, 21217]);

/**
 * Creates a twilio client, loading the SDK (about 150 ms) only now. With `api_url`, requests go there
 * instead of https://api.twilio.com, through the SDK's documented `httpClient` extension point.
 */
export async function createTwilioClient(config: TwilioAccountConfig): Promise<TwilioClient> {
  const twilio = (await import('twilio')).default;
  const base = new twilio.RequestClient({ timeout: config.timeout });
  const httpClient = config.api_url
    ? Object.assign(Object.create(base) as typeof base, {
        request: (opts: Parameters<typeof base.request>[0]) => base.request({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]*twilio\.com/, config.api_url!) }),
      })
    : base;
  return twilio(config.account_sid, config.auth_token, { httpClient, autoRetry: false });
}

/** Turns what the twilio SDK throws into a DeliveryError that says whether a retry may help. */
export function classifyTwilioError(error: unknown): DeliveryError {
  const e = error as { status?: number; code?: number | string; message?: string; name?: string };
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const retryable = e.status === 429 || e.status >= 500 || (code !== undefined && !PERMANENT_CODES.has(code) && e.status !== 401 && e.status !== 403 && e.status !== 404 && e.status !== 400);
    const detail = code ? ` (code ${code})` : '';
    return new DeliveryError(`Twilio answered HTTP ${e.status}${detail}: ${(e.message ?? '').slice(0, 200)}`, retryable, e.status === 429 ? 1000 : undefined);
  }
  if (e.name === 'AbortError' || e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return new DeliveryError('timed out', true);
  return new DeliveryError(`could not reach Twilio${typeof e.code === 'string' ? ` (${e.code})` : ''}`, true);
}
