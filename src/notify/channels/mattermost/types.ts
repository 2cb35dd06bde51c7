import type { ChannelBase } from '../../config.js';

/** A Mattermost channel: an incoming webhook URL (its id is the token) and the overrides it may send. */
export interface MattermostChannelConfig extends ChannelBase {
  type: 'mattermost';
  webhook_url: string;
  /** The channel to post in instead of the webhook's (refused by a webhook locked to its channel). */
  channel?: string;
  /** The name and icon the posts show (honoured when the server lets integrations override them). */
  username?: string;
  icon_url?: string;
  /** An attachment colour (#rrggbb): the notice is sent as an attachment with a coloured bar. */
  color?: string;
  timeout: number;
}
