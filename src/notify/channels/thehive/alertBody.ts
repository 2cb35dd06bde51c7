import { inertMarkdown } from '../../../render/markdownText.js';
import { clockFromEnv } from '../../../util/clock.js';
import { renderTemplate, stringify } from '../../../util/template.js';
import { cleanText, cutText, oneLine } from '../../../util/text.js';
import type { Notification } from '../../types.js';
import { hiveSourceRef } from './sourceRef.js';
import type { TheHiveChannelConfig } from './types.js';

/** Longest title and tag sent (TheHive shows them on one line). */
const MAX_TITLE = 512;
const MAX_TAG = 128;
/** Most observables one alert carries (a digest's rows beyond are counted in its description). */
const MAX_OBSERVABLES = 500;

/** One observable as both API versions take it (TheHive 4.1 calls them artifacts). */
export interface HiveObservable {
  dataType: string;
  data: string;
  tags: string[];
}

/** The alert a notice becomes, in TheHive 5's terms (`toVersion4` gives TheHive 4.1's). */
export interface HiveAlertBody {
  type: string;
  source: string;
  sourceRef: string;
  title: string;
  description: string;
  severity: number;
  date: number;
  tags: string[];
  tlp: number;
  pap: number;
  customFields: { name: string; value: string }[];
  observables: HiveObservable[];
}

/** A template's value lookup over a notice: its own names (alert, key, title, message, reason), then its finding's fields. */
function lookup(notification: Notification, escape: (text: string) => string): (path: string) => string {
  const own: Record<string, string> = { alert: notification.alert, key: notification.key, title: notification.title, message: notification.message, reason: notification.reason };
  return (path) => escape(Object.hasOwn(own, path) ? own[path]! : stringify(notification.labels && Object.hasOwn(notification.labels, path) ? notification.labels[path] : undefined));
}

/** The values a field has in a notice: its finding's label, or for a digest the field's cells of every row. */
function fieldValues(notification: Notification, field: string): string[] {
  const digest = notification.digest;
  if (digest) {
    const column = digest.columns.indexOf(field);
    return column < 0 ? [] : digest.rows.map((row) => row.cells[column] ?? '');
  }
  const value = notification.labels && Object.hasOwn(notification.labels, field) ? notification.labels[field] : undefined;
  return value === undefined ? [] : [stringify(value)];
}

/** The observables of a notice: each mapping's values that are set, one per (data type, value). */
function observables(config: TheHiveChannelConfig, notification: Notification): HiveObservable[] {
  const seen = new Map<string, HiveObservable>();
  for (const mapping of config.observables) {
    for (const raw of fieldValues(notification, mapping.field)) {
      const data = cleanText(raw).trim();
      const id = JSON.stringify([mapping.type, data]);
      if (!data || seen.has(id) || seen.size >= MAX_OBSERVABLES) continue;
      seen.set(id, { dataType: mapping.type, data, tags: mapping.tags });
    }
  }
  return [...seen.values()];
}

/**
 * The TheHive alert a notice becomes: the title and tags rendered as clean single lines, the description rendered
 * with every value inert in markdown (the template's own text is the operator's markdown), custom fields, the
 * observables its fields give, and the sourceRef that makes a second create of the same notice a duplicate.
 */
export function hiveAlertBody(config: TheHiveChannelConfig, notification: Notification): HiveAlertBody {
  const plain = lookup(notification, (text) => text);
  const line = (template: string, max: number) => cutText(oneLine(renderTemplate(template, plain)), max);
  return {
    type: config.alert_type,
    source: config.source,
    sourceRef: hiveSourceRef(notification),
    title: line(config.title, MAX_TITLE) || line('{{alert}}', MAX_TITLE),
    description: renderTemplate(config.description, lookup(notification, inertMarkdown)),
    severity: config.severity,
    date: notification.window?.to ?? clockFromEnv()(),
    tags: [...new Set(config.tags.map((tag) => line(tag, MAX_TAG)).filter(Boolean))],
    tlp: config.tlp,
    pap: config.pap,
    customFields: Object.entries(config.custom_fields).map(([name, template]) => ({ name, value: cleanText(renderTemplate(template, plain)) })),
    observables: observables(config, notification),
  };
}

/** The same alert for TheHive 4.1's POST /api/alert: custom fields as {name: {string, order}}, observables as artifacts. */
export function toVersion4(body: HiveAlertBody): Record<string, unknown> {
  const { customFields, observables: artifacts, ...rest } = body;
  return {
    ...rest,
    customFields: Object.fromEntries(customFields.map((field, order) => [field.name, { string: field.value, order }])),
    artifacts,
  };
}
