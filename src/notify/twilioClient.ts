import type { TwilioAccountConfig } from './config.js';
import { httpFailure } from './httpFailure.js';
import { DeliveryError } from './types.js';
import { redact } from '../util/redact.js';
import { loadPackage } from '../util/loadPackage.js';
import { oneLine } from '../util/text.js';

/** The parts of the twilio SDK's client that the two Twilio channels use. */
export type TwilioClient = import('twilio').Twilio;

/**
 * Creates a twilio client, loading the SDK (about 150 ms) only now. With `api_url`, requests go there
 * instead of https://api.twilio.com, through the SDK's documented `httpClient` extension point.
 */
export async function createTwilioClient(config: TwilioAccountConfig): Promise<TwilioClient> {
  const twilio = loadPackage<typeof import('twilio')>('twilio');
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
    // Twilio's 4xx codes (21211 bad number, 21617 body too long, 20003 authenticate ...) are all permanent.
    const message = oneLine(redact(e.message ?? ''), 200);
    const detail = typeof e.code === 'number' ? `(code ${e.code}): ${message}` : message;
    return httpFailure('Twilio', e.status, detail, e.status === 429 ? 1000 : undefined);
  }
  if (e.name === 'AbortError' || e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return new DeliveryError('timed out', true);
  return new DeliveryError(`could not reach Twilio${typeof e.code === 'string' ? ` (${e.code})` : ''}`, true);
}
