import { ANGLE_LOOKALIKES, styleLookalikes } from '../../../render/styleLookalikes.js';
import { renderTemplate } from '../../../util/template.js';
import { cleanText, cutText, oneLine } from '../../../util/text.js';
import { incidentId } from '../../incidentId.js';
import { noticeLookup } from '../../noticeTemplate.js';
import type { Notification } from '../../types.js';
import type { AlertmanagerChannelConfig } from './types.js';

/** Longest label value and annotation value sent (labels identify the alert; annotations carry the text). */
const MAX_LABEL = 128;
const MAX_ANNOTATION = 16_384;
/** Most characters of the labels a receipt keeps for the resolve (Receipt.detail stays under 4 KB). */
const MAX_KEPT = 4000;
/** How far in the past a resolve's endsAt lies, so that an Alertmanager whose clock is a little behind still sees it as past (else Alert.Merge keeps the old explicit endsAt and the alert stays firing). */
export const RESOLVE_BACKDATE_MS = 5_000;

/** One alert of Alertmanager's API v2 (a postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

/** Look-alikes of the characters that open a Slack mention or link (`<!channel>`, `<url|text>`, `&` entities) and a chat mention or mail link (`@`). */
const CONTROL_LOOKALIKES: Readonly<Record<string, string>> = { ...ANGLE_LOOKALIKES, '&': '\uff06', '@': '\uff20' };

/**
 * A finding's value made inert for the receivers Alertmanager hands it to (Slack, Mattermost, Discord, Teams
 * templates do not escape): `<` `>` `&` `@` become look-alikes (‹ › ＆ ＠: no mention, link or entity), a scheme's
 * `://` becomes `[:]//` and `www.` becomes `www[.]` (no link), and in annotations the styling characters `*` `_`
 * `~` `` ` `` become look-alikes too (labels keep them: they are names people route and silence on).
 */
export function inertForReceivers(text: string, styled = false): string {
  const inert = text
    .replace(/[<>&@]/g, (c) => CONTROL_LOOKALIKES[c]!)
    .replace(/:\/\//g, '[:]//')
    .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}[.]`);
  return styled ? styleLookalikes(inert) : inert;
}

/**
 * Renders a map of templates over a notice, each value of the finding made inert (inertForReceivers) and the result
 * cleaned by `clean`; values that render empty are left out (Alertmanager drops empty labels).
 */
function renderAll(templates: Record<string, string>, notification: Notification, clean: (text: string) => string, styled = false): Record<string, string> {
  const lookup = noticeLookup(notification, (text) => inertForReceivers(text, styled));
  return Object.fromEntries(Object.entries(templates).map(([name, template]) => [name, clean(renderTemplate(template, lookup))]).filter(([, value]) => value));
}

/** A label value: one clean line (no control, invisible or direction characters), cut to 128 characters. */
const labelValue = (text: string) => cutText(oneLine(text), MAX_LABEL);
/** An annotation value: clean text with its lines, cut to 16,384 characters. */
const annotationValue = (text: string) => cutText(cleanText(text).trim(), MAX_ANNOTATION);

/** The labels an earlier notice of the key sent on this channel (kept in its receipt), if they are that key's. */
function keptFor(notification: Notification): Record<string, string> | undefined {
  const kept = notification.opened?.detail;
  return kept && kept.alertcron_id === incidentId(notification.alert, notification.key) ? { ...kept } : undefined;
}

/**
 * The labels that identify a notice's alert in Alertmanager: a repeat or tier keeps those its episode's first notice
 * sent (kept in the receipt it builds on), so it renews that very alert; otherwise the channel's labels rendered
 * from the finding, then alertname (the alert's name) and alertcron_id (incidentId of alert and key; a digest's own
 * id per period).
 */
export function alertLabels(config: AlertmanagerChannelConfig, notification: Notification): Record<string, string> {
  if (notification.digest) return { ...renderAll(config.labels, notification, labelValue), alertname: labelValue(notification.alert) || 'alertcron', alertcron_id: incidentId(notification.alert, `digest ${notification.digest.from}`) };
  return keptFor(notification) ?? { ...renderAll(config.labels, notification, labelValue), alertname: labelValue(notification.alert) || 'alertcron', alertcron_id: incidentId(notification.alert, notification.key) };
}

/**
 * The labels a resolved notice ends: those its episode's notices sent (kept in the receipt), else what can be
 * derived without the finding: alertname, alertcron_id and the labels whose templates hold no placeholder.
 */
export function resolveLabels(config: AlertmanagerChannelConfig, notification: Notification): Record<string, string> {
  const kept = keptFor(notification);
  if (kept) return kept;
  const fixed = Object.fromEntries(Object.entries(config.labels).filter(([, template]) => !template.includes('{{')));
  return { ...renderAll(fixed, notification, labelValue), alertname: labelValue(notification.alert) || 'alertcron', alertcron_id: incidentId(notification.alert, notification.key) };
}

/**
 * The alert a notice becomes at `now`: a resolve ends the labels its episode's notices sent (endsAt = now - 5 s, no startsAt:
 * Alertmanager keeps the alert's earliest startsAt, so endsAt never falls before it); any other notice
 * fires (startsAt = now; endsAt = now + resolve_timeout when set). Annotations are the channel's templates.
 */
export function postableAlert(config: AlertmanagerChannelConfig, notification: Notification, now: number): PostableAlert {
  const annotations = renderAll(config.annotations, notification, annotationValue, true);
  if (notification.reason === 'resolved' && !notification.digest) return { labels: resolveLabels(config, notification), annotations, endsAt: new Date(now - RESOLVE_BACKDATE_MS).toISOString() };
  return {
    labels: alertLabels(config, notification),
    annotations,
    startsAt: new Date(now).toISOString(),
    ...(config.resolve_timeout !== undefined ? { endsAt: new Date(now + config.resolve_timeout).toISOString() } : {}),
  };
}

/** The labels to keep in a receipt for the resolve, or undefined when they would not fit its 4 KB. */
export function keptLabels(labels: Record<string, string>): Record<string, string> | undefined {
  return JSON.stringify(labels).length <= MAX_KEPT ? labels : undefined;
}
