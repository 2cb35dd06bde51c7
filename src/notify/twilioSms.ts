import type { TwilioSmsChannelConfig } from './config.js';
import { fitSms } from './sms/segments.js';
import { usableDigest } from './digest/usable.js';
import { smsDigestText } from './digest/smsList.js';
import { cleanText } from '../util/text.js';
import { splitAttribution } from './attribution.js';
import { classifyTwilioError, createTwilioClient } from './twilioClient.js';
import { withSignal } from './withSignal.js';
import type { Notification, Notifier } from './types.js';
import { isPhoneNumber, owedRecipients, sendToEach } from './eachRecipient.js';

/** The text of an alert SMS: title and message (a digest: its top rows) on plain lines, fitted to `maxSegments` segments. */
export function smsText(notification: Notification, maxSegments: number): string {
  const digest = usableDigest(notification.digest);
  if (digest) return smsDigestText(notification.title, digest, maxSegments);
  const { rest, attribution } = splitAttribution(notification.message);
  const text = cleanText(`${notification.title}\n${rest}`).replace(/[ \t]+/g, ' ').replace(/\n{2,}/g, '\n').trim();
  return fitSms(text, maxSegments, attribution === undefined ? '' : cleanText(attribution));
}

/** Creates a Twilio SMS notifier: one message to each configured number. */
export async function createTwilioSmsNotifier(name: string, config: TwilioSmsChannelConfig): Promise<Notifier> {
  const client = await createTwilioClient(config);
  return {
    name,
    async send(notification, signal) {
      const body = smsText(notification, config.max_segments);
      const sender = config.messaging_service_sid ? { messagingServiceSid: config.messaging_service_sid } : { from: config.from };
      // Each number is recorded on its own: a retry goes only to those not reached yet (see sendToEach).
      const numbers = owedRecipients(config.to, notification.to, isPhoneNumber);
      if (!numbers.length) return {};
      return sendToEach(numbers, async (to) => (await withSignal(client.messages.create({ to, body, ...sender }), signal)).sid, classifyTwilioError);
    },
  };
}
