import type { ChannelConfig } from '../config/types.js';
import { DeliveryError, type Notifier } from './types.js';

/** Creates the notifier of a configured channel, loading its SDK only now (a run without it never pays for it). */
export async function createNotifier(name: string, config: ChannelConfig): Promise<Notifier> {
  // A channel whose secret is not set fails its own deliveries; they stay pending for a run that has it.
  if (config.missingSecret) throw new DeliveryError(config.missingSecret, true, undefined, true);
  switch (config.type) {
    case 'email':
      return (await import('./email.js')).createEmailNotifier(name, config);
    case 'slack':
      return (await import('./slack.js')).createSlackNotifier(name, config);
    case 'twilio-sms':
      return (await import('./twilioSms.js')).createTwilioSmsNotifier(name, config);
    case 'twilio-call':
      return (await import('./twilioCall.js')).createTwilioCallNotifier(name, config);
    case 'telegram':
      return (await import('./telegram.js')).createTelegramNotifier(name, config);
    case 'webhook':
      return (await import('./webhook.js')).createWebhookNotifier(name, config);
    case 'thehive-tag':
      return (await import('./theHiveTag.js')).createTheHiveTagNotifier(name, config);
  }
}
