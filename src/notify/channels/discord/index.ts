import { originOf, optionalText, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import type { DiscordChannelConfig } from './types.js';

/** What Discord refuses in a webhook's display name (its naming rules), with the reason shown by validate. */
const NAME_RULES: [RegExp, string][] = [
  [/[@#:]|```/, 'must not contain @, #, : or ```'],
  [/discord|clyde/i, 'must not contain "discord" or "clyde"'],
  [/^\s*(everyone|here)\s*$/i, 'must not be "everyone" or "here"'],
];

/** A Discord webhook (Execute Webhook): the title as the message, the text in an embed, mentions never ping. */
export const discordChannel: ChannelKind<DiscordChannelConfig> = {
  type: 'discord',
  secretKeys: ['webhook_url'],
  complete: (raw) => ({
    type: 'discord',
    webhook_url: String(raw.webhook_url ?? ''),
    ...(raw.username !== undefined ? { username: String(raw.username) } : {}),
    ...(typeof raw.color === 'number' ? { color: raw.color } : {}),
    timeout: timeoutOf(raw),
  }),
  problems(raw) {
    const name = optionalText(raw, 'username');
    const broken = name === undefined ? undefined : NAME_RULES.find(([pattern]) => pattern.test(name));
    const url = optionalText(raw, 'webhook_url');
    return [
      ...(broken ? [`username ${JSON.stringify(name)} ${broken[1]} (Discord refuses such a webhook name): choose another name, or leave username out`] : []),
      ...(url && /\/(slack|github)\/?(\?|$)/.test(url) ? ['webhook_url ends with /slack or /github (the Slack- or GitHub-compatible endpoint): give the plain webhook URL, without that suffix'] : []),
    ];
  },
  // The webhook's token is in its path.
  sentCredentials: (config) => [{ url: config.webhook_url }],
  destinations: async (_name, config) => [`Discord webhook at ${originOf(config.webhook_url)}`],
  receiptId: 'Discord message id',
  notifier: async (name, config) => (await import('./notifier.js')).createDiscordNotifier(name, config),
};
