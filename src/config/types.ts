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

/** Any configured notification channel. */
export type ChannelConfig = EmailChannelConfig | SlackChannelConfig;

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
}

/** Where state lives and how long it is kept. */
export interface StateConfig {
  file: string;
  audit_log: string;
  prune_after: number;
  lock_wait: number;
}

/** The whole of alertcron.yaml after validation, defaults and secrets. */
export interface Config {
  file: string;
  dir: string;
  elasticsearch?: ElasticsearchConfig;
  channels: Record<string, ChannelConfig>;
  defaults: AlertDefaults;
  delivery: DeliveryConfig;
  state: StateConfig;
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
  | { type: 'script'; module: string; modulePath: string; options: Record<string, unknown> };

/** One alert, loaded from alerts/<name>.yaml with its query resolved. */
export interface AlertDef {
  name: string;
  file: string;
  description: string;
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
  title: string;
  /** The message template; when absent, a script's own message or a default summary is used. */
  message?: string;
}
