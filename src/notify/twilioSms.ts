import type { TwilioSmsChannelConfig } from './config.js';
import { fitSms } from './sms/segments.js';
import { cleanText } from '../util/text.js';
import { classifyTwilioError, createTwilioClient } from './twilioClient.js';
import { withSignal } from './withSignal.js';
import { DeliveryError, type Notification, type Notifier } from './types.js';

/** The text of an alert SMS: title and message on plain lines, fitted to `maxSegments` segments. */
export function smsText(notification: Notification, maxSegments: number): string {
  const text = cleanText(`${notification.title}\n${notification.message}`).replace(/[ \t]+/g, ' ').replace(/\n{2,}/g, '\n').trim();
  return fitSms(text, maxSegments);
}

/** Creates a Twilio SMS notifier: one message to each configured number. */
export async function createTwilioSmsNotifier(name: string, config: TwilioSmsChannelConfig): Promise<Notifier> {
  const client = await createTwilioClient(config);
  return {
    name,
    async send(notification, signal) {
      const sids: string[] = [];
      const body = smsText(notification, config.max_segments);
      for (const to of config.to) {
        const sender = config.messaging_service_sid ? { messagingServiceSid: config.messaging_service_sid } : { from: config.from };
        try {
          const created = await withSignal(client.messages.create({ to, body, ...sender }), signal);
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
