import type { ChannelBase } from '../../config.js';

/** A Discord channel: an Execute Webhook URL (its token in the path) and how its messages look. */
export interface DiscordChannelConfig extends ChannelBase {
  type: 'discord';
  webhook_url: string;
  /** The name the messages show instead of the webhook's own. */
  username?: string;
  /** The embed's colour, 0xRRGGBB. */
  color?: number;
  timeout: number;
}
