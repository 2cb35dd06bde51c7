/** What every channel has besides its own settings. */
export interface ChannelBase {
  /** Set when a secret of this channel is unset or unreadable: its deliveries fail with this message and stay pending. */
  missingSecret?: string;
  /** Most sends of this channel in flight at once (unset: only delivery.concurrency and the fair share bound it). */
  concurrency?: number;
  /** Whether it gets resolved notices (`send_resolved`); unset: its kind's default (sendsResolved). */
  send_resolved?: boolean;
}

/** An email channel: an SMTP server and fixed, validated recipients. */
export interface EmailChannelConfig extends ChannelBase {
  type: 'email';
  host: string;
  port: number;
  secure: boolean;
  starttls: 'auto' | 'require' | 'ignore';
  tls_insecure: boolean;
  username?: string;
  password?: string;
  from: string;
  to: string[];
  timeout: number;
}

/** A Slack incoming-webhook channel. */
export interface SlackChannelConfig extends ChannelBase {
  type: 'slack';
  webhook_url: string;
  timeout: number;
}

/** What both Twilio channels need: the account, the numbers, and where the API is. */
export interface TwilioAccountConfig extends ChannelBase {
  account_sid: string;
  auth_token: string;
  from?: string;
  messaging_service_sid?: string;
  to: string[];
  api_url?: string;
  timeout: number;
}

/** A Twilio SMS channel. */
export interface TwilioSmsChannelConfig extends TwilioAccountConfig {
  type: 'twilio-sms';
  max_segments: number;
}

/** A Twilio voice-call channel that speaks the alert. */
export interface TwilioCallChannelConfig extends TwilioAccountConfig {
  type: 'twilio-call';
  voice: string;
  language: string;
  loop: number;
}

/** A Telegram Bot API channel. */
export interface TelegramChannelConfig extends ChannelBase {
  type: 'telegram';
  bot_token: string;
  /** The chat notices go to; optional when admin_chat_id is set (then notices go to the allowed chats). */
  chat_id?: string | number;
  api_url: string;
  disable_notification: boolean;
  timeout: number;
  /** Bot mode: buttons on notices, and each run reads presses, commands and replies. */
  bot: boolean;
  /** The administrator's chat: allows new chats, takes admin commands. */
  admin_chat_id?: string;
  /** Telegram user ids who may act; undefined: anyone in an allowed chat. */
  allowed_users?: number[];
  /** Telegram user ids who may administer in the admin chat; undefined: anyone in it (only allowed for a private admin chat). */
  admin_users?: number[];
}

/** A Slack app (bot token, Web API): posts with chat.postMessage and reads reactions and thread replies each run. */
export interface SlackAppChannelConfig extends ChannelBase {
  type: 'slack-app';
  bot_token: string;
  channel: string;
  api_url: string;
  /** Slack user ids who may act; undefined: anyone in the channel. */
  allowed_users?: string[];
  /** The emoji that act on a notice, by action name (ack, silence, promote, ignore ...). */
  reactions: Record<string, string>;
  /** How long a notice's reactions and replies are read after it was sent. */
  watch_for: number;
  timeout: number;
}

/** A plain JSON webhook, optionally signed with HMAC-SHA256. */
export interface WebhookChannelConfig extends ChannelBase {
  type: 'webhook';
  url: string;
  headers: Record<string, string>;
  secret?: string;
  timeout: number;
}

/** Any configured notification channel: its kind's `type:` name and that kind's settings (src/notify/channels/<type>/). */
export interface ChannelConfig extends ChannelBase {
  type: string;
}
