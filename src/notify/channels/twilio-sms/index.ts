import type { TwilioSmsChannelConfig } from '../../config.js';
import { twilioAccount, twilioCredentials } from '../twilioAccount.js';
import type { ChannelKind } from '../types.js';

/** SMS through Twilio (the twilio SDK, loaded on first send). */
export const twilioSmsChannel: ChannelKind<TwilioSmsChannelConfig> = {
  type: 'twilio-sms',
  secretKeys: ['auth_token'],
  complete: (raw) => ({ type: 'twilio-sms', ...twilioAccount(raw), max_segments: (raw.max_segments as number | undefined) ?? 2 }),
  sentCredentials: twilioCredentials,
  destinations: async (_name, config) => [...config.to],
  receiptId: 'message SID',
  notifier: async (name, config) => (await import('../../twilioSms.js')).createTwilioSmsNotifier(name, config),
};
