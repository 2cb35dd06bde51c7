import { quoteData } from '../quote.js';
import type { AlerterChannel, AlerterContext } from './context.js';
import { argsText, connectionNotes, fieldMap } from './text.js';

/** PagerDuty's Events API v2 severities. */
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/**
 * ElastAlert2's pagerduty alerter (Events API v1 or v2) as a `pagerduty` channel on Events API v2: the service key
 * is the routing_key variable, the v2 payload options are templates, the severity is ElastAlert2's (critical unless
 * set). The incident key is alertcron's own per alert and key, so that a resolve closes what the trigger opened.
 */
export function convertPagerDuty(ctx: AlerterContext): AlerterChannel[] {
  const key = ctx.take('pagerduty_service_key');
  if (key === undefined || key === '') return ctx.refuse('pagerduty_service_key', 'pagerduty_');
  // A resolve or acknowledge alerter (a "recovered" companion rule) would open incidents as a trigger channel.
  const event = ctx.take('pagerduty_event_type');
  if (event !== undefined && event !== 'trigger') {
    return ctx.refuse('pagerduty_event_type', 'pagerduty_', `sends ${quoteData(event)} events, which a pagerduty channel does not: it triggers on each notice and resolves the incident itself when the key resolves (set resolve_after on the triggering alert instead of this rule)`);
  }
  const version = ctx.take('pagerduty_api_version') ?? 'v1';
  const config: Record<string, unknown> & { type: string } = { type: 'pagerduty' };
  if (version !== 'v2') {
    const message = 'PagerDuty retired the Events API v1: converted to Events API v2; the key must be the integration key of an Events API v2 integration of the service (Service -> Integrations -> Events API V2)';
    if (ctx.options.pagerduty_api_version === undefined) ctx.noteAlerter('pagerduty_api_version', message);
    else ctx.note('pagerduty_api_version', message);
  }
  const severity = ctx.take('pagerduty_v2_payload_severity') ?? 'critical';
  if (SEVERITIES.includes(String(severity))) config.severity = String(severity);
  else {
    config.severity = 'critical';
    ctx.note('pagerduty_v2_payload_severity', `${quoteData(severity)} is not one of ${SEVERITIES.join(', ')}: critical, ElastAlert2's default`);
  }
  for (const part of ['source', 'component', 'group', 'class']) {
    const template = argsText(ctx, `pagerduty_v2_payload_${part}`, 'pagerduty');
    if (template) config[part] = template;
  }
  const client = ctx.take('pagerduty_client_name');
  if (typeof client === 'string' && client) config.client = client;
  const details = fieldMap(ctx, 'pagerduty_v2_payload_custom_details', ctx.take('pagerduty_v2_payload_custom_details'), true);
  if (details) {
    config.custom_details = details;
    ctx.note('pagerduty_v2_payload_custom_details', 'each field is looked up in the finding; a field the finding lacks is empty (ElastAlert2 sent the field\'s name instead)');
  }
  ctx.take('pagerduty_v2_payload_include_all_info');
  const incident = ctx.take('pagerduty_incident_key');
  const incidentArgs = ctx.take('pagerduty_incident_key_args');
  if (incident !== undefined || incidentArgs !== undefined) {
    ctx.note(incident !== undefined ? 'pagerduty_incident_key' : 'pagerduty_incident_key_args', 'not converted: alertcron derives its own dedup_key per alert and key (alertcron-<40 hex>), so that the key\'s resolve closes the incident its trigger opened; notices of one key go to one incident');
  }
  connectionNotes(ctx, 'pagerduty_');
  ctx.rest('pagerduty_', 'not converted: the pagerduty channel has no such setting');
  return [{ config, secrets: [ctx.secret('routing_key', 'pagerduty_service_key', key)] }];
}
