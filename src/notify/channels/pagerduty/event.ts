import { clockFromEnv } from '../../../util/clock.js';
import { cutText, oneLine } from '../../../util/text.js';
import { boundedDetails } from '../../boundedDetails.js';
import { noticeIncidentId } from '../../noticeIncidentId.js';
import { renderNotice } from '../../noticeTemplate.js';
import type { Notification } from '../../types.js';
import type { PagerDutyChannelConfig } from './types.js';

/** PagerDuty's longest summary (Events API v2), and alertcron's own cap on the other one-line payload fields. */
export const MAX_SUMMARY = 1024;
const MAX_FIELD = 255;
/** Longest value in custom_details, and most characters of them all (PagerDuty takes 512 KB per event). */
const MAX_DETAIL = 8_192;
const MAX_DETAILS = 65_536;

/** An Events API v2 alert event, as POST /v2/enqueue takes it. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: string;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, string>;
  };
  client?: string;
  client_url?: string;
}

/** One clean line of a template over the notice, cut to `max` (log values cannot add lines or invisible characters). */
function line(template: string, notification: Notification, max: number): string {
  return cutText(oneLine(renderNotice(template, notification)), max);
}

/** Custom details: the channel's templates, or the notice's message then its fields (labels); values clean text, bounded. */
function customDetails(config: PagerDutyChannelConfig, notification: Notification): Record<string, string> {
  const entries: [string, string][] = config.custom_details
    ? Object.entries(config.custom_details).map(([name, template]) => [name, renderNotice(template, notification)])
    : [['message', notification.message], ...Object.entries(notification.labels ?? {}).filter(([name]) => name !== 'message')];
  return boundedDetails(entries, { name: MAX_FIELD, value: MAX_DETAIL, total: MAX_DETAILS });
}

/**
 * The event a notice becomes, its dedup_key the notice's incident id (noticeIncidentId): `resolve` for a resolved
 * notice (its dedup_key only), else `trigger` with the summary
 * (the title as one clean line, cut to 1,024 characters), source, severity (info for a digest and a test notice),
 * the optional component, group and class, and the custom details. Every value is plain text: PagerDuty shows these
 * fields as text, so they are cleaned of control and invisible characters and cut, not escaped.
 */
export function pagerDutyEvent(config: PagerDutyChannelConfig, notification: Notification): PagerDutyEvent {
  const dedup_key = noticeIncidentId(notification);
  if (notification.reason === 'resolved') return { routing_key: config.routing_key, event_action: 'resolve', dedup_key };
  const optional = (name: 'component' | 'group' | 'class') => {
    const template = config[name];
    const value = template === undefined ? '' : line(template, notification, MAX_FIELD);
    return value ? { [name]: value } : {};
  };
  const info = notification.reason === 'digest' || notification.reason === 'test';
  return {
    routing_key: config.routing_key,
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: line('{{title}}', notification, MAX_SUMMARY) || line('{{alert}}', notification, MAX_SUMMARY),
      source: line(config.source, notification, MAX_FIELD) || 'alertcron',
      severity: info ? 'info' : config.severity,
      timestamp: new Date(notification.window?.to ?? clockFromEnv()()).toISOString(),
      ...optional('component'),
      ...optional('group'),
      ...optional('class'),
      custom_details: customDetails(config, notification),
    },
    client: config.client,
    ...(config.client_url ? { client_url: config.client_url } : {}),
  };
}
