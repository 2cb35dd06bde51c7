import type { AlertDefaults, DeliveryConfig, MonitoringConfig, RunConfig, StateConfig } from '../model/config.js';
import type { ChannelConfig } from '../notify/config.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import type { TheHiveAlertDef } from '../sources/thehive/types.js';

/** The whole of alertcron.yaml after validation, defaults and secrets. */
export interface Config {
  file: string;
  dir: string;
  /** Each source's own section (elasticsearch:, thehive: ...), completed by that source; absent when not configured. */
  sources: Record<string, unknown>;
  channels: Record<string, ChannelConfig>;
  defaults: AlertDefaults;
  delivery: DeliveryConfig;
  run: RunConfig;
  state: StateConfig;
  monitoring: MonitoringConfig;
  alerts_dir: string;
  queries_dir: string;
}

/** One alert, loaded from alerts/<name>.yaml: a union keyed by `source`. */
export type AlertDef = SearchAlertDef | TheHiveAlertDef;
