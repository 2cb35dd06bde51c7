import type { StateData } from '../model/state.js';
import type { ChannelConfig } from './config.js';
import { DeliveryError, type InboxReader, type Notifier } from './types.js';

/** Creates the notifier of a configured channel, loading its SDK only now (a run without it never pays for it). */
export async function createNotifier(name: string, config: ChannelConfig, data?: StateData): Promise<Notifier> {
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
      return (await import('./telegram.js')).createTelegramNotifier(name, config, data);
    case 'slack-app':
      return (await import('./slackApp.js')).createSlackAppNotifier(name, config);
    case 'webhook':
      return (await import('./webhook.js')).createWebhookNotifier(name, config);
  }
}

/**
 * The inbox of a channel that can read what people did in chat since the last run (a Telegram bot, a Slack app),
 * or undefined for channels that only send (and for a reading channel whose secret is unset).
 */
export async function createInbox(name: string, config: ChannelConfig): Promise<InboxReader | undefined> {
  if (config.missingSecret) return undefined;
  if (config.type === 'telegram' && config.bot) return (await import('./telegramInbox.js')).createTelegramInbox(name, config);
  if (config.type === 'slack-app') return (await import('./slackAppInbox.js')).createSlackAppInbox(name, config);
  return undefined;
}
