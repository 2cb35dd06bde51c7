import type { TheHiveConfig } from '../../../sources/thehive/types.js';
import type { ChannelBase } from '../../config.js';

/** One observable mapping: a finding's field (dotted path), the TheHive data type its value gets, and its tags. */
export interface HiveObservableMapping {
  field: string;
  type: string;
  tags: string[];
}

/** A TheHive channel: where TheHive is (its own url/api_key or the thehive: section's) and how a notice becomes an alert. */
export interface TheHiveChannelConfig extends ChannelBase {
  type: 'thehive';
  /** The connection: url, api_key, organisation, version and timeout (the channel's own, else the thehive: section's). */
  hive: TheHiveConfig;
  title: string;
  description: string;
  alert_type: string;
  source: string;
  severity: number;
  tlp: number;
  pap: number;
  tags: string[];
  custom_fields: Record<string, string>;
  observables: HiveObservableMapping[];
}
