import { DIGEST_CELL_CHARS } from '../../../policy/digest.js';
import { inertMarkdown } from '../../../render/markdownText.js';
import { clockFromEnv } from '../../../util/clock.js';
import { renderTemplate } from '../../../util/template.js';
import { cleanText, cutText, oneLine } from '../../../util/text.js';
import { findingField, noticeLookup as lookup } from '../../noticeFields.js';
import type { Notification } from '../../types.js';
import { hiveSourceRef } from './sourceRef.js';
import type { TheHiveChannelConfig } from './types.js';

/** Longest title, and longest tag, type and source sent (TheHive shows them on one line). */
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

/** Whether a digest's cell was cut to the state's cell length (its end is lost: not a value to make an indicator of). */
function wasCut(cell: string): boolean {
  return cell.length >= DIGEST_CELL_CHARS - 1 && cell.endsWith('…');
}

/** The values a field has in a notice: its finding's value (each element of a list), or for a digest the field's cells of every row that were not cut. */
function fieldValues(notification: Notification, field: string): { values: string[]; cut: number } {
  const digest = notification.digest;
  if (digest) {
    const column = digest.columns.indexOf(field);
    const cells = column < 0 ? [] : digest.rows.map((row) => row.cells[column] ?? '');
    return { values: cells.filter((cell) => !wasCut(cell)), cut: cells.filter(wasCut).length };
  }
  const value = findingField(notification, field);
  return { values: value === undefined ? [] : Array.isArray(value) ? value : [value], cut: 0 };
}

/** The observables of a notice (each mapping's values that are set, one per (data type, value)), and how many digest cells were left out as cut. */
function observables(config: TheHiveChannelConfig, notification: Notification): { list: HiveObservable[]; cut: number } {
  const seen = new Map<string, HiveObservable>();
  let cut = 0;
  for (const mapping of config.observables) {
    const found = fieldValues(notification, mapping.field);
    cut += found.cut;
    for (const raw of found.values) {
      const data = cleanText(raw).trim();
      const id = JSON.stringify([mapping.type, data]);
      if (!data || seen.has(id) || seen.size >= MAX_OBSERVABLES) continue;
      seen.set(id, { dataType: mapping.type, data, tags: mapping.tags });
    }
  }
  return { list: [...seen.values()], cut };
}

/**
 * The TheHive alert a notice becomes: the title, tags, type and source rendered as clean single lines (an empty type
 * or source is `alertcron`), the description rendered
 * with every value inert in markdown (the template's own text is the operator's markdown), custom fields, the
 * observables its fields give, and the sourceRef that makes a second create of the same notice a duplicate.
 */
export function hiveAlertBody(config: TheHiveChannelConfig, notification: Notification): HiveAlertBody {
  const plain = lookup(notification, (text) => text);
  const line = (template: string, max: number) => cutText(oneLine(renderTemplate(template, plain)), max);
  const found = observables(config, notification);
  return {
    type: line(config.alert_type, MAX_TAG) || 'alertcron',
    source: line(config.source, MAX_TAG) || 'alertcron',
    sourceRef: hiveSourceRef(notification),
    title: line(config.title, MAX_TITLE) || line('{{alert}}', MAX_TITLE),
    description: renderTemplate(config.description, lookup(notification, inertMarkdown)) + (found.cut ? `\n\n${found.cut} table value${found.cut === 1 ? ' was' : 's were'} cut to ${DIGEST_CELL_CHARS} characters and made no observable.` : ''),
    severity: config.severity,
    date: notification.window?.to ?? clockFromEnv()(),
    tags: [...new Set(config.tags.map((tag) => line(tag, MAX_TAG)).filter(Boolean))],
    tlp: config.tlp,
    pap: config.pap,
    customFields: Object.entries(config.custom_fields).map(([name, template]) => ({ name, value: cleanText(renderTemplate(template, plain)) })),
    observables: found.list,
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
