/** Alert settings that fall back to `defaults:` in alertcron.yaml. */
export interface AlertDefaults {
  every: number;
  throttle: number | 'once';
  ingest_delay: number;
  max_catchup: number;
  first_lookback: number;
  timestamp_field: string;
  samples: number;
  /** defaults.sigma: what Sigma alerts use unless they set their own (pipeline files are absolute paths here). */
  sigma?: SigmaDefaults;
}

/** `defaults.sigma`: the pipeline and output of Sigma alerts, and the channels of each rule level for those without notify. */
export interface SigmaDefaults {
  pipeline?: string | string[];
  output?: 'dsl' | 'lucene';
  notify?: Partial<Record<string, string[]>>;
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
  /** Where the shared state lives: one file on this host, or an index of the cluster the alerts search. */
  backend: 'file' | 'cluster';
  file: string;
  /** The cluster backend: the state index, and the file keeping this host's local slices (LOCAL_SLICES). */
  index: string;
  local_file: string;
  /** This host's name in leases and claims (default: the host name); two hosts must not share it. */
  host_id: string;
  /** How long a run's lease and its notification claims hold before another host may take them over. */
  lease_ttl: number;
  /** The most the hosts' clocks may differ (default 10 s): leases outlast a run by this, windows tolerate it. */
  max_clock_skew: number;
  /** How long a partition's lease (and the coordinator's) holds unless renewed; a run renews it every third of this. */
  partition_lease: number;
  /** A host whose heartbeat is older than this is no longer live: its share of the partitions goes to the others. */
  host_ttl: number;
  audit_log: string;
  /** The audit log is rotated when an append would take it past this many bytes. */
  audit_max_size: number;
  /** Rotated audit logs kept (audit.log.1 ... audit.log.N). */
  audit_keep: number;
  prune_after: number;
  lock_wait: number;
}

/** Self-monitoring: notices when a source keeps failing, and a heartbeat after each good run. */
export interface MonitoringConfig {
  notify: string[];
  after_failures: number;
  heartbeat_url?: string;
  heartbeat_timeout: number;
  /** monitoring.status_page: the HTML status page each run writes, absolute; unset: none. */
  status_page?: string;
  /** monitoring.metrics_file: the Prometheus textfile each run writes, absolute; unset: none. */
  metrics_file?: string;
}

/** Limits of one run: its overall deadline, and how many findings one alert may notify. */
export interface RunConfig {
  /** The whole run ends by then (ms): searches, deliveries and write-backs; what is left stays pending. */
  deadline: number;
  /** Most findings one alert notifies per run; the rest go into one summary notice. */
  max_findings: number;
}

/** Duo Auth API v2 for the ask policy's second factor: where it is, its keys (secrets), and how long to wait. */
export interface DuoConfig {
  /** https://api-XXXXXXXX.duosecurity.com (or a test server). */
  api_url: string;
  integration_key: string;
  secret_key: string;
  /** Each request's own timeout (ms); a status read that takes longer counts as "still waiting". */
  timeout: number;
  /** How long a push may stay unanswered before the conversation escalates as "2FA timed out" (ms). */
  push_timeout: number;
  /** The label the Duo app shows above the push. */
  push_type: string;
  /**
   * What a preauth answer of `allow` means (a user in bypass, or a new-user policy that lets anyone through):
   * `escalate` (the default, also when absent: the yes was not confirmed) or `confirm` (trust Duo's policy). Either is audited.
   */
  on_bypass?: 'escalate' | 'confirm';
  /** Set when a key is unset or unreadable: 2FA fails with this message (and the conversation escalates). */
  missingSecret?: string;
}

/** How to reach an Elasticsearch / OpenSearch cluster: the `elasticsearch:` section's connection settings, secrets resolved. */
export interface ClusterConnection {
  url: string;
  username?: string;
  password?: string;
  api_key?: string;
  ca_file?: string;
  timeout: number;
}
