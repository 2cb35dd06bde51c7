import { isPlainObject } from '../util/plainMap.js';

/** A service's answer read as a JSON object (its error body), or undefined when it is not one (HTML, plain text, a list). */
export function jsonErrorBody(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
