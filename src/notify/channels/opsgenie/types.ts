import type { ChannelBase } from '../../config.js';

/** Opsgenie's API origins by region. */
export const OPSGENIE_REGIONS = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

/** Opsgenie's priorities, most urgent first. */
export const OPSGENIE_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;

/** An Opsgenie Alert API channel: the API integration's key, where the API is, the alert's templates and its responders. */
export interface OpsgenieChannelConfig extends ChannelBase {
  type: 'opsgenie';
  api_key: string;
  region: keyof typeof OPSGENIE_REGIONS;
  /** The API's origin: api_url if set, else the region's. */
  api_url: string;
  message: string;
  description: string;
  priority: (typeof OPSGENIE_PRIORITIES)[number];
  teams: string[];
  users: string[];
  escalations: string[];
  schedules: string[];
  /** Templates of the tags, entity and details. */
  tags: string[];
  entity?: string;
  source: string;
  /** Templates of the details by name; unset: the finding's fields. */
  details?: Record<string, string>;
  timeout: number;
}
