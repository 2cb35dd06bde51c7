import { discordChannel } from './discord/index.js';
import { emailChannel } from './email/index.js';
import { opsgenieChannel } from './opsgenie/index.js';
import { pagerDutyChannel } from './pagerduty/index.js';
import { googleChatChannel } from './google-chat/index.js';
import { mattermostChannel } from './mattermost/index.js';
import { commandChannel } from './command/index.js';
import { logChannel } from './log/index.js';
import { slackAppChannel } from './slack-app/index.js';
import { slackChannel } from './slack/index.js';
import { teamsChannel } from './teams/index.js';
import { telegramChannel } from './telegram/index.js';
import { twilioCallChannel } from './twilio-call/index.js';
import { twilioSmsChannel } from './twilio-sms/index.js';
import type { ChannelKind } from './types.js';
import { theHiveChannel } from './thehive/index.js';
import { webhookChannel } from './webhook/index.js';
import { jiraChannel } from './jira/index.js';
import { alertmanagerChannel } from './alertmanager/index.js';
import { ownValue } from '../../util/plainMap.js';

/** Every channel kind in the order `type:` lists them: add a kind as one folder in src/notify/channels/ and one line here. */
export const CHANNEL_KINDS: readonly ChannelKind[] = [
  emailChannel as unknown as ChannelKind,
  slackChannel as unknown as ChannelKind,
  twilioSmsChannel as unknown as ChannelKind,
  twilioCallChannel as unknown as ChannelKind,
  slackAppChannel as unknown as ChannelKind,
  telegramChannel as unknown as ChannelKind,
  webhookChannel as unknown as ChannelKind,
  theHiveChannel as unknown as ChannelKind,
  pagerDutyChannel as unknown as ChannelKind,
  opsgenieChannel as unknown as ChannelKind,
  teamsChannel as unknown as ChannelKind,
  googleChatChannel as unknown as ChannelKind,
  discordChannel as unknown as ChannelKind,
  mattermostChannel as unknown as ChannelKind,
  jiraChannel as unknown as ChannelKind,
  alertmanagerChannel as unknown as ChannelKind,
  commandChannel as unknown as ChannelKind,
  logChannel as unknown as ChannelKind,
];

const BY_TYPE: Record<string, ChannelKind> = Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind.type, kind]));

/** The kind a channel's `type:` names, or undefined. */
export function channelKind(type: unknown): ChannelKind | undefined {
  return typeof type === 'string' ? ownValue(BY_TYPE, type) : undefined;
}
