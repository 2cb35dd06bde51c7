import type { ChannelBase } from '../../config.js';

/** A Microsoft Teams channel: a Workflows (Power Automate) webhook that posts an Adaptive Card. */
export interface TeamsChannelConfig extends ChannelBase {
  type: 'teams';
  /** The URL of the flow's "When a Teams webhook request is received" trigger (a secret: its `sig` is the token). */
  webhook_url: string;
  /** Finding fields (dotted paths) shown as name/value rows under the text. */
  facts: string[];
  /** Whether the card spans the whole width of the conversation (msteams.width: Full). */
  full_width: boolean;
  timeout: number;
}
