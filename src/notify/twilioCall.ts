import type { TwilioCallChannelConfig } from './config.js';
import { oneLine } from '../util/text.js';
import { splitAttribution } from './attribution.js';
import { classifyTwilioError, createTwilioClient } from './twilioClient.js';
import { withSignal } from './withSignal.js';
import type { Notification, Notifier } from './types.js';
import { isPhoneNumber, owedRecipients, sendToEach } from './eachRecipient.js';
import { loadPackage } from '../util/loadPackage.js';
import { usableDigest } from './digest/usable.js';
import { spokenDigest } from './digest/spoken.js';

/** Longest text spoken in a call: a title and the start of the message. */
const SPOKEN_CHARS = 600;

/** Builds the TwiML of an alert call (a digest: how many findings and the top rows) with the SDK's builder, which escapes the text: log data never becomes markup. */
export async function callTwiml(notification: Notification, config: Pick<TwilioCallChannelConfig, 'voice' | 'language' | 'loop'>): Promise<string> {
  const twilio = loadPackage<typeof import('twilio')>('twilio');
  const response = new twilio.twiml.VoiceResponse();
  const digest = usableDigest(notification.digest);
  // A Sigma rule's attribution (a digest's from its table) is spoken last but never cut: the rest makes room for it.
  const { rest, attribution } = digest ? { rest: '', attribution: digest.attribution } : splitAttribution(notification.message);
  const credit = attribution === undefined ? '' : ` ${oneLine(attribution, SPOKEN_CHARS / 2)}`;
  const text = oneLine(`Alert. ${notification.title}. ${digest ? spokenDigest(digest) : rest}`, SPOKEN_CHARS - credit.length) + credit;
  response.say({ voice: config.voice as 'alice', language: config.language as 'en-US', loop: config.loop }, text);
  return response.toString();
}

/** Creates a Twilio voice notifier: calls each configured number and speaks the alert. */
export async function createTwilioCallNotifier(name: string, config: TwilioCallChannelConfig): Promise<Notifier> {
  const client = await createTwilioClient(config);
  return {
    name,
    async send(notification, signal) {
      const twiml = await callTwiml(notification, config);
      // Each number is recorded on its own: a retry goes only to those not reached yet (see sendToEach).
      const numbers = owedRecipients(config.to, notification.to, isPhoneNumber);
      if (!numbers.length) return {};
      return sendToEach(numbers, async (to) => (await withSignal(client.calls.create({ to, from: config.from!, twiml }), signal)).sid, classifyTwilioError);
    },
  };
}
