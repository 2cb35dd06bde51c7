import type { AlertDefaults, DeliveryConfig, DuoConfig, MonitoringConfig, RunConfig, StateConfig } from '../model/config.js';
import type { ChannelConfig } from '../notify/config.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import type { MaxPatrolAlertDef } from '../sources/maxpatrol/types.js';
import type { TheHiveAlertDef } from '../sources/thehive/types.js';
import type { UnsetSecret } from './secrets.js';

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
  /** Duo Auth API for the second factor of ask alerts; absent when not configured. */
  duo?: DuoConfig;
  alerts_dir: string;
  queries_dir: string;
  /** Secrets whose variable is unset or whose file is unreadable (validate warns; channels carry missingSecret). */
  unset: UnsetSecret[];
  /** Set on the stand-in for an alertcron.yaml that did not parse: checks of alerts against it are skipped. */
  contentUnknown?: boolean;
}

/** One alert, loaded from alerts/<name>.yaml: a union keyed by `source`. */
export type AlertDef = SearchAlertDef | TheHiveAlertDef | MaxPatrolAlertDef;
