/** Connection settings for the Elasticsearch / OpenSearch cluster, secrets already resolved. */
export interface ElasticsearchConfig {
  url: string;
  username?: string;
  password?: string;
  api_key?: string;
  ca_file?: string;
  timeout: number;
  msearch_chunk: number;
}

/** The TheHive instance, secrets resolved. */
export interface TheHiveConfig {
  url: string;
  api_key: string;
  organisation?: string;
  timeout: number;
}

/** Which TheHive alerts an alert looks at. */
export interface TheHiveFilter {
  object?: 'alert' | 'case';
  without_tags?: string[];
  severity?: number[];
  stage?: string[];
  status?: string[];
  tags?: string[];
  max_age?: number;
}

/** A mail to a case's reporter, its text chosen by a field's value. */
export interface FeedbackDef {
  recipient_tag: string;
  allowed_domains?: string[];
  choose_by: string;
  templates: Record<string, { title: string; message: string }>;
}

/** One step of an escalation ladder: after this age, these channels (for these severities only, if given). */
export interface EscalationTier {
  after: number;
  notify: string[];
  severity?: number[];
}

/** An email channel: an SMTP server and fixed, validated recipients. */
export interface EmailChannelConfig {
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
export interface SlackChannelConfig {
  type: 'slack';
  webhook_url: string;
  timeout: number;
}

/** What both Twilio channels need: the account, the numbers, and where the API is. */
export interface TwilioAccountConfig {
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
export interface TelegramChannelConfig {
  type: 'telegram';
  bot_token: string;
  chat_id: string | number;
  api_url: string;
  disable_notification: boolean;
  timeout: number;
}

/** A plain JSON webhook, optionally signed with HMAC-SHA256. */
export interface WebhookChannelConfig {
  type: 'webhook';
  url: string;
  headers: Record<string, string>;
  secret?: string;
  timeout: number;
}

/** The internal channel that writes tags back to TheHive alerts (never configured by hand). */
export interface TheHiveTagChannelConfig extends TheHiveConfig {
  type: 'thehive-tag';
  object: 'alert' | 'case';
}

/** Any configured notification channel. */
export type ChannelConfig = TheHiveTagChannelConfig | EmailChannelConfig | SlackChannelConfig | TwilioSmsChannelConfig | TwilioCallChannelConfig | TelegramChannelConfig | WebhookChannelConfig;

/** Alert settings that fall back to `defaults:` in alertcron.yaml. */
export interface AlertDefaults {
  every: number;
  throttle: number | 'once';
  ingest_delay: number;
  max_catchup: number;
  first_lookback: number;
  timestamp_field: string;
  samples: number;
}

/** How a run delivers notifications. */
export interface DeliveryConfig {
  concurrency: number;
  deadline: number;
  attempt_timeout: number;
  retries: number;
  /** Pending deliveries older than this are dropped (with an audit record) instead of retried. */
  max_pending_age: number;
}

/** Where state lives and how long it is kept. */
export interface StateConfig {
  file: string;
  audit_log: string;
  prune_after: number;
  lock_wait: number;
}

/** Self-monitoring: notices when a source keeps failing, and a heartbeat after each good run. */
export interface MonitoringConfig {
  notify: string[];
  after_failures: number;
  heartbeat_url?: string;
  heartbeat_timeout: number;
}

/** The whole of alertcron.yaml after validation, defaults and secrets. */
export interface Config {
  file: string;
  dir: string;
  elasticsearch?: ElasticsearchConfig;
  thehive?: TheHiveConfig;
  channels: Record<string, ChannelConfig>;
  defaults: AlertDefaults;
  delivery: DeliveryConfig;
  state: StateConfig;
  monitoring: MonitoringConfig;
  alerts_dir: string;
  queries_dir: string;
}

/** A threshold on a number: every bound given must hold. */
export interface Threshold {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** The condition of an alert, one variant per type. */
export type ConditionDef =
  | { type: 'any' }
  | ({ type: 'count' } & Threshold)
  | ({ type: 'buckets'; path: string; value: string } & Threshold)
  | { type: 'script'; module: string; modulePath: string; options: Record<string, unknown>; /** Time limit of one call, in ms. */ timeout: number };

/** One alert, loaded from alerts/<name>.yaml with its query resolved. */
export interface AlertDef {
  name: string;
  file: string;
  description: string;
  source: 'elasticsearch' | 'thehive';
  thehive?: TheHiveFilter;
  escalation?: EscalationTier[];
  high_risk_words: string[];
  feedback?: FeedbackDef;
  /** Template of a tag added to the TheHive alert after each delivered notice (e.g. notified:{{reason}}). */
  write_back_tag?: string;
  index: string;
  query: Record<string, unknown>;
  query_file?: string;
  condition: ConditionDef;
  group_by?: string;
  group_size: number;
  timestamp_field: string;
  every: number;
  throttle: number | 'once';
  ingest_delay: number;
  max_catchup: number;
  lookback?: number;
  first_lookback: number;
  samples: number;
  notify: string[];
  /** Runs without the key after which a notified key gets a resolved notice; undefined: no notices. */
  resolve_after?: number;
  title: string;
  /** The message template; when absent, a script's own message or a default summary is used. */
  message?: string;
}
