import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';
import { defaultConfig } from './project.js';
import { startTelegramServer, type TelegramServer } from './telegramServer.js';
import { startTwilioServer, type TwilioServer } from './twilioServer.js';
import type { World } from './world.js';

/** The other services a channel test talks to: Twilio, Telegram and a webhook receiver. */
export interface ChannelServers {
  twilio: TwilioServer;
  telegram: TelegramServer;
  webhook: HttpRecorder;
  /** What the webhook receiver answers next (default 200). */
  webhookAnswers: Answer[];
  /** The secrets the channels use, by environment variable. */
  secrets: Record<string, string>;
  /** A configuration with every channel kind, pointed at the local servers. */
  config(world: World): Record<string, unknown>;
}

/** Registers hooks that start and stop the channel servers for the current test file. */
export function useChannelServers(): ChannelServers {
  const servers = { webhookAnswers: [] as Answer[] } as ChannelServers;
  before(async () => {
    servers.twilio = await startTwilioServer();
    servers.telegram = await startTelegramServer();
    servers.webhook = await startHttpRecorder(() => servers.webhookAnswers.shift() ?? { status: 200, body: 'ok' });
    servers.secrets = {
      TWILIO_AUTH_TOKEN: servers.twilio.authToken,
      TELEGRAM_BOT_TOKEN: servers.telegram.token,
      HOOK_TOKEN: 'hook-bearer-SECRET-7781',
      HOOK_SECRET: 'hook-hmac-SECRET-9920',
    };
    servers.config = (world) => {
      const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
      const twilio = { account_sid: servers.twilio.accountSid, auth_token: '${TWILIO_AUTH_TOKEN}', from: '+15005550006', to: ['+15551230001'], api_url: servers.twilio.base, timeout: '3s' };
      return {
        ...base,
        channels: {
          ...(base.channels as object),
          'oncall-sms': { type: 'twilio-sms', ...twilio, max_segments: 2 },
          'oncall-call': { type: 'twilio-call', ...twilio, voice: 'alice', language: 'ru-RU', loop: 2 },
          'team-telegram': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: -1001234567, api_url: servers.telegram.base, timeout: '3s' },
          hook: { type: 'webhook', url: `${servers.webhook.base}/alerts`, headers: { Authorization: 'Bearer ${HOOK_TOKEN}' }, secret: '${HOOK_SECRET}', timeout: '3s' },
        },
      };
    };
  });
  beforeEach(() => {
    for (const server of [servers.twilio, servers.telegram, servers.webhook]) server.requests.length = 0;
    servers.twilio.messages.length = 0;
    servers.twilio.calls.length = 0;
    servers.twilio.failingNumbers.clear();
    servers.twilio.behaviour = 'ok';
    servers.telegram.sent.length = 0;
    servers.telegram.behaviour = 'ok';
    servers.webhookAnswers.length = 0;
  });
  after(async () => {
    await servers.twilio?.close();
    await servers.telegram?.close();
    await servers.webhook?.close();
  });
  return servers;
}
