import { angleLookalikes } from '../../../render/styleLookalikes.js';
import { cleanText, cutText, oneLine } from '../../../util/text.js';
import { escapeHtml } from '../../../render/html/escape.js';
import { boundedDetails } from '../../boundedDetails.js';
import { noticeIncidentId } from '../../noticeIncidentId.js';
import { renderNotice } from '../../noticeTemplate.js';
import type { Notification } from '../../types.js';
import type { OpsgenieChannelConfig } from './types.js';

/** Opsgenie's documented limits of a create (Alert API). */
export const OPSGENIE_LIMITS = { message: 130, description: 15_000, entity: 512, source: 100, tag: 50, tags: 20, details: 8_000, responders: 50, note: 25_000 } as const;

/** A responder as the Alert API takes it: a team, escalation or schedule by name, a user by username. */
export type OpsgenieResponder = { type: 'team' | 'escalation' | 'schedule'; name: string } | { type: 'user'; username: string };

/** The body of POST /v2/alerts. */
export interface OpsgenieAlert {
  message: string;
  alias: string;
  description: string;
  responders: OpsgenieResponder[];
  tags: string[];
  details: Record<string, string>;
  entity?: string;
  source: string;
  priority: string;
}

/**
 * Cuts HTML-escaped text to `max` characters with an ellipsis, never inside a character reference (`&#60;`): a cut
 * that would split one ends before it.
 */
export function cutEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = cutText(text, max);
  const body = cut.slice(0, -1);
  const partial = /&#?[0-9A-Za-z]*$/.exec(body);
  return partial ? `${body.slice(0, partial.index)}…` : cut;
}

/** A log value for Opsgenie's description (and a close's note): clean text, `& < > " '` escaped, so it shows as the text it is. */
function htmlValue(text: string): string {
  return escapeHtml(cleanText(text));
}

/**
 * A log value for the message, which Opsgenie shows as HTML in its web UI but also reads out in push, SMS, voice and
 * chat: clean text with `<` `>` as look-alikes (‹ ›), so it opens no tag and `& ' "` stay as they are, readable and
 * not spending the 130 characters on character references.
 */
function messageValue(text: string): string {
  return angleLookalikes(cleanText(text));
}

/** Details: the channel's templates, or the finding's fields; each name and value clean, all within Opsgenie's 8,000 characters. */
function detailsOf(config: OpsgenieChannelConfig, notification: Notification): Record<string, string> {
  const entries: [string, string][] = config.details ? Object.entries(config.details).map(([name, template]) => [name, renderNotice(template, notification)]) : Object.entries(notification.labels ?? {});
  return boundedDetails(entries, { name: 100, value: 1_000, total: OPSGENIE_LIMITS.details });
}

/** The responders of the channel, at most Opsgenie's 50: teams, users, escalations, then schedules. */
function respondersOf(config: OpsgenieChannelConfig): OpsgenieResponder[] {
  const named = (type: 'team' | 'escalation' | 'schedule', names: string[]) => names.map((name) => ({ type, name }));
  return [...named('team', config.teams), ...config.users.map((username) => ({ type: 'user' as const, username })), ...named('escalation', config.escalations), ...named('schedule', config.schedules)].slice(0, OPSGENIE_LIMITS.responders);
}

/**
 * The alert a notice becomes: message and description rendered from their templates (the template's own text is the
 * operator's), each value of the description HTML-escaped and each of the message with look-alike angle brackets
 * (Opsgenie formats HTML in both; the message is also read as plain text), cut to 130 and 15,000 characters;
 * tags, entity and source one clean line each, cut to their limits; the alias of its alert and key; P5 for a digest
 * and a test notice.
 */
export function opsgenieAlert(config: OpsgenieChannelConfig, notification: Notification): OpsgenieAlert {
  const line = (template: string, max: number) => cutText(oneLine(renderNotice(template, notification)), max);
  const message = cutText(oneLine(renderNotice(config.message, notification, messageValue)), OPSGENIE_LIMITS.message) || cutText(messageValue(oneLine(notification.alert)), OPSGENIE_LIMITS.message);
  const entity = config.entity === undefined ? '' : line(config.entity, OPSGENIE_LIMITS.entity);
  const info = notification.reason === 'digest' || notification.reason === 'test';
  return {
    message,
    alias: noticeIncidentId(notification),
    description: cutEscaped(renderNotice(config.description, notification, htmlValue), OPSGENIE_LIMITS.description),
    responders: respondersOf(config),
    tags: [...new Set(config.tags.map((tag) => line(tag, OPSGENIE_LIMITS.tag)).filter(Boolean))].slice(0, OPSGENIE_LIMITS.tags),
    details: detailsOf(config, notification),
    ...(entity ? { entity } : {}),
    source: line(config.source, OPSGENIE_LIMITS.source) || 'alertcron',
    priority: info ? 'P5' : config.priority,
  };
}

/** The body of a close: source alertcron and a note with the resolved notice's title (one clean line, HTML-escaped like the description: a note is shown in the web UI only). */
export function opsgenieClose(notification: Notification): { source: string; note: string } {
  return { source: 'alertcron', note: cutEscaped(htmlValue(oneLine(notification.title)), 1_000) };
}
