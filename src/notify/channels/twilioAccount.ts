import type { TwilioAccountConfig } from '../config.js';
import { optionalText, timeoutOf } from './settings.js';
import type { SentCredential } from './types.js';

/** The settings both Twilio kinds share: the account, the numbers, and where the API is. */
export function twilioAccount(raw: Record<string, unknown>): Omit<TwilioAccountConfig, 'missingSecret' | 'concurrency'> {
  return {
    account_sid: String(raw.account_sid),
    auth_token: String(raw.auth_token),
    from: optionalText(raw, 'from'),
    messaging_service_sid: optionalText(raw, 'messaging_service_sid'),
    to: raw.to as string[],
    api_url: optionalText(raw, 'api_url')?.replace(/\/+$/, ''),
    timeout: timeoutOf(raw),
  };
}

/** Twilio's API takes the account SID and auth token as a Basic pair. */
export function twilioCredentials(config: TwilioAccountConfig): SentCredential[] {
  return config.auth_token ? [{ pair: [config.account_sid, config.auth_token] }] : [];
}
