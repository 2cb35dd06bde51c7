import { redactedExcerpt } from '../../util/redact.js';
import { oneLine } from '../../util/text.js';

/** Most characters of a service's own error text quoted in a delivery error. */
const MAX_ERROR_TEXT = 200;

/**
 * The service's own words from an error body shaped `{"error": {"code", "status", "message"}}` (Azure Logic Apps and
 * Power Automate, Google APIs): `<status or code>: <message>`, one line, redacted, cut; else the body's first
 * characters (redacted) or nothing.
 */
export function serviceErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; status?: unknown; message?: unknown } };
    const error = parsed?.error;
    if (error && typeof error === 'object') {
      const label = [error.status, error.code].find((value) => typeof value === 'string' && value) as string | undefined;
      const message = typeof error.message === 'string' ? error.message : '';
      return redactedExcerpt(oneLine([label, message].filter(Boolean).join(': ')), MAX_ERROR_TEXT);
    }
  } catch {
    /* not JSON: quoted as text */
  }
  return redactedExcerpt(oneLine(body), MAX_ERROR_TEXT);
}
