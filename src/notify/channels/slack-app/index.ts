import type { SlackAppChannelConfig } from '../../config.js';
import { parseDuration } from '../../../util/duration.js';
import { apiUrl, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';

/** The emoji that act on a Slack app's notices unless `reactions:` says otherwise. */
const DEFAULT_REACTIONS: Record<string, string> = { ack: 'white_check_mark', silence: 'no_bell', promote: 'arrow_up', ignore: 'zzz' };

/** A Slack app (bot token, Web API): posts notices, reads reactions and thread replies, holds private conversations. */
export const slackAppChannel: ChannelKind<SlackAppChannelConfig> = {
  type: 'slack-app',
  secretKeys: ['bot_token'],
  complete: (raw) => ({
    type: 'slack-app',
    bot_token: String(raw.bot_token),
    channel: String(raw.channel),
    api_url: apiUrl(raw, 'https://slack.com/api'),
    ...(raw.allowed_users ? { allowed_users: raw.allowed_users as string[] } : {}),
    reactions: { ...DEFAULT_REACTIONS, ...((raw.reactions as Record<string, string> | undefined) ?? {}) },
    watch_for: parseDuration((raw.watch_for as string | undefined) ?? '24h'),
    timeout: timeoutOf(raw),
  }),
  destinations: async (_name, config) => [`Slack channel ${config.channel}`],
  receiptId: 'message ts',
  notifier: async (name, config) => (await import('../../slackApp.js')).createSlackAppNotifier(name, config),
  inbox: {
    reads: () => true,
    create: async (name, config) => (await import('../../slackAppInbox.js')).createSlackAppInbox(name, config),
  },
  ask: {
    can: () => true,
    create: async (config) => (await import('../../slackAsk.js')).createSlackAskChannel({ api_url: config.api_url, bot_token: config.bot_token, timeout: config.timeout }),
  },
};
