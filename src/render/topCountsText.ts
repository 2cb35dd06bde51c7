import type { TopCount } from '../model/topCounts.js';
import { oneLine } from '../util/text.js';

/** Most characters of one value shown in a top-counts list (log data: one clean line, cut). */
const VALUE_CHARS = 100;

/** One field's top values as a short list: "203.0.113.5 (12), 198.51.100.7 (3)", or "(none)" when its events had none. */
export function topValuesText(top: TopCount): string {
  return top.values.length ? top.values.map(({ value, count }) => `${oneLine(value, VALUE_CHARS)} (${count})`).join(', ') : '(none)';
}

/** Every field's top values, one line each ("source.ip: 203.0.113.5 (12), ..."); empty when there are none. */
export function topCountsText(tops: readonly TopCount[] | undefined): string {
  return (tops ?? []).map((top) => `${top.field}: ${topValuesText(top)}`).join('\n');
}

/** Each field's top values by field name, for `{{top_counts.<field>}}`. */
export function topCountsByField(tops: readonly TopCount[] | undefined): Record<string, string> {
  return Object.fromEntries((tops ?? []).map((top) => [top.field, topValuesText(top)]));
}
