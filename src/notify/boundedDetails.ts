import { cleanText, cutText, oneLine } from '../util/text.js';

/** The bounds of a service's key-value details: longest name, longest value, most characters of names and values in all. */
export interface DetailBounds {
  name: number;
  value: number;
  total: number;
}

/**
 * Details for a service (PagerDuty's custom_details, Opsgenie's details): each name one clean line and each value
 * clean text, cut to their bounds; a blank or repeated name, and what would pass the total, is left out.
 */
export function boundedDetails(entries: Iterable<[string, string]>, bounds: DetailBounds): Record<string, string> {
  const details: Record<string, string> = {};
  let total = 0;
  for (const [name, raw] of entries) {
    const key = oneLine(name, bounds.name);
    const value = cutText(cleanText(raw), bounds.value);
    if (!key || Object.hasOwn(details, key) || total + key.length + value.length > bounds.total) continue;
    details[key] = value;
    total += key.length + value.length;
  }
  return details;
}
