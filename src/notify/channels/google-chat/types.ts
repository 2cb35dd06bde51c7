import type { ChannelBase } from '../../config.js';

/** A Google Chat channel: a space's incoming webhook. */
export interface GoogleChatChannelConfig extends ChannelBase {
  type: 'google-chat';
  /** The webhook URL (a secret: its `key` and `token` query parameters authorise it). */
  webhook_url: string;
  /** A text message (Google Chat's own formatting) or a cardsV2 card. */
  format: 'text' | 'card';
  /** Template of the thread a notice goes to (one thread per rendered value); unset: each notice starts its own thread. */
  thread_key?: string;
  timeout: number;
}
