import type { TwilioCallChannelConfig } from './config.js';
import { oneLine } from '../util/text.js';
import { classifyTwilioError, createTwilioClient } from './twilioClient.js';
import { withSignal } from './withSignal.js';
import { DeliveryError, type Notification, type Notifier } from './types.js';
import { loadPackage } from '../util/loadPackage.js';

/** Longest text spoken in a call: a title and the start of the message. */
const SPOKEN_CHARS = 600;

/** Builds the TwiML of an alert call with the SDK's builder, which escapes the text: log data never becomes markup. */
export async function callTwiml(notification: Notification, config: Pick<TwilioCallChannelConfig, 'voice' | 'language' | 'loop'>): Promise<string> {
  const twilio = loadPackage<typeof import('twilio')>('twilio');
  const response = new twilio.twiml.VoiceResponse();
  const text = oneLine(`Alert. ${notification.title}. ${notification.message}`, SPOKEN_CHARS);
  response.say({ voice: config.voice as 'alice', language: config.language as 'en-US', loop: config.loop }, text);
  return response.toString();
}

/** Creates a Twilio voice notifier: calls each configured number and speaks the alert. */
export async function createTwilioCallNotifier(name: string, config: TwilioCallChannelConfig): Promise<Notifier> {
  const client = await createTwilioClient(config);
  return {
    name,
    async send(notification, signal) {
      const sids: string[] = [];
      const twiml = await callTwiml(notification, config);
      for (const to of config.to) {
        try {
          const created = await withSignal(client.calls.create({ to, from: config.from!, twiml }), signal);
          sids.push(created.sid);
        } catch (error) {
          throw error instanceof DeliveryError ? error : classifyTwilioError(error);
        }
      }
      // One SID per number called or texted: the receipt keeps them all.
      return { id: sids.join(',') };
    },
  };
}
