import { isPlainObject } from '../util/plainMap.js';
import { redact, redactedExcerpt } from '../util/redact.js';
import { oneLine } from '../util/text.js';

/** Most characters of a service's own error text quoted in a delivery error, unless a channel asks for fewer or more. */
const MAX_ERROR_TEXT = 300;

/** A service's answer read as a JSON object (its error body), or undefined when it is not one (HTML, plain text, a list). */
export function jsonErrorBody(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A service's own words from an error body, as every channel quotes them: `pick` reads its JSON (any JSON value) and
 * returns the service's message fields, or nothing when the body is not that shape; then the body's text stands in
 * (a proxy's HTML page). Redacted, flattened to one line (no line of a page reaches an error or audit line), cut to `max`:
 * redacted before it is flattened too, as a secret with a run of blanks no longer matches once they are one space.
 */
export function errorBodyText(text: string, pick: (body: unknown) => string | undefined, max = MAX_ERROR_TEXT): string {
  let words: string | undefined;
  try {
    words = pick(JSON.parse(text) as unknown);
  } catch {
    /* not JSON: its text */
  }
  return redactedExcerpt(oneLine(redact(words || text)), max);
}

/**
 * The words of an error body shaped `{"error": {"code", "status", "message"}}` (Azure Logic Apps and Power Automate,
 * Google APIs): `<status or code>: <message>`, one line, redacted, cut to 200; else the body's first characters.
 */
export function serviceErrorText(body: string): string {
  return errorBodyText(
    body,
    (parsed) => {
      const error = isPlainObject(parsed) ? (parsed.error as { code?: unknown; status?: unknown; message?: unknown } | undefined) : undefined;
      if (!error || typeof error !== 'object') return undefined;
      const label = [error.status, error.code].find((value) => typeof value === 'string' && value) as string | undefined;
      return [label, typeof error.message === 'string' ? error.message : ''].filter(Boolean).join(': ');
    },
    200,
  );
}
