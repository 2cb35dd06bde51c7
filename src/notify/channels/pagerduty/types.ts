import type { ChannelBase } from '../../config.js';

/** PagerDuty's severities of an alert event, most severe first. */
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** A PagerDuty Events API v2 channel: the integration's routing key, where the API is, and the event's templates. */
export interface PagerDutyChannelConfig extends ChannelBase {
  type: 'pagerduty';
  routing_key: string;
  /** The API's origin (https://events.pagerduty.com, or the EU's); events go to {api_url}/v2/enqueue. */
  api_url: string;
  severity: (typeof PAGERDUTY_SEVERITIES)[number];
  /** Templates of payload.source, component, group and class (the last three unset: not sent). */
  source: string;
  component?: string;
  group?: string;
  class?: string;
  client: string;
  client_url?: string;
  /** Templates of payload.custom_details by name; unset: the notice's message and fields. */
  custom_details?: Record<string, string>;
  timeout: number;
}
