import type { TwilioCallChannelConfig } from '../../config.js';
import { optionalText } from '../settings.js';
import { twilioAccount, twilioCredentials } from '../twilioAccount.js';
import type { ChannelKind } from '../types.js';

/** A Twilio voice call that speaks the alert (the twilio SDK, loaded on first send). */
export const twilioCallChannel: ChannelKind<TwilioCallChannelConfig> = {
  type: 'twilio-call',
  secretKeys: ['auth_token'],
  complete: (raw) => ({ type: 'twilio-call', ...twilioAccount(raw), voice: optionalText(raw, 'voice') ?? 'alice', language: optionalText(raw, 'language') ?? 'en-US', loop: (raw.loop as number | undefined) ?? 2 }),
  sentCredentials: twilioCredentials,
  destinations: async (_name, config) => [...config.to],
  receiptId: 'call SID',
  // A call to say that it is over wakes someone for nothing: resolved notices only when a channel asks for them.
  sendResolved: false,
  notifier: async (name, config) => (await import('../../twilioCall.js')).createTwilioCallNotifier(name, config),
};
