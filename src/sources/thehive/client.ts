import type { TheHiveConfig } from './types.js';
import { errorMessage } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import { oneLine } from '../../util/text.js';

/** The fields of a TheHive (v1 API) alert that alertcron reads; the rest is kept for templates. */
export interface HiveAlert {
  _id: string;
  _createdAt: number;
  title?: string;
  description?: string;
  severity?: number;
  tags?: string[];
  stage?: string;
  status?: string;
  [field: string]: unknown;
}

/** Headers of every TheHive request: the API key and, for multi-organisation instances, the organisation. */
export function hiveHeaders(config: TheHiveConfig): Record<string, string> {
  return {
    authorization: `Bearer ${config.api_key}`,
    'content-type': 'application/json',
    ...(config.organisation ? { 'x-organisation': config.organisation } : {}),
  };
}

/** Says why TheHive could not be reached (timed out or the network error), with the URL and no secret. */
export function unreachable(config: TheHiveConfig, error: unknown): string {
  const e = error as { name?: string };
  const reason = e.name === 'AbortError' || e.name === 'TimeoutError' ? 'timed out' : errorMessage(error);
  return redact(`cannot reach TheHive at ${config.url}: ${reason}`);
}

/** The hint for an answer that shows the wrong thehive.version (TheHive 4.1 refusing version 5 requests, or the reverse). */
function versionHint(config: TheHiveConfig, status: number, detail: string): string {
  if (status !== 400) return '';
  if (config.version === 5 && /Property (stage|status) for type Alert not found|Unknown attribute addTags/.test(detail)) {
    return ' (this looks like TheHive 4.1: set thehive.version: 4 in alertcron.yaml)';
  }
  if (config.version === 4 && /Property (read|imported) for type Alert not found/.test(detail)) return ' (this looks like TheHive 5: set thehive.version: 5 in alertcron.yaml)';
  return '';
}

/** Explains a TheHive error answer: its {type, message} body, with what to check for auth, permissions, the version and missing APIs. */
export function describeHiveError(config: TheHiveConfig, status: number, text: string): string {
  let detail = oneLine(redact(text), 200);
  try {
    const body = JSON.parse(text) as { type?: string; message?: string };
    // TheHive's message is the server's text: one clean line, redacted before it is cut (a cut cannot leave part of a secret).
    if (body.type || body.message) detail = oneLine(redact(`${body.type ?? 'error'}: ${body.message ?? ''}`), 200);
  } catch {
    /* not JSON */
  }
  const hint =
    status === 401
      ? ' (check thehive.api_key and, on a multi-organisation instance, thehive.organisation)'
      : status === 403
        ? ' (check thehive.api_key, thehive.organisation, and that the key\'s user may do this there: tags and promote need the manageAlert/update permission)'
        : status === 404
          ? ' (check thehive.url: alertcron needs the v1 API of TheHive 4.1+ or 5)'
          : versionHint(config, status, detail);
  return redact(`TheHive at ${config.url} answered HTTP ${status} ${detail}${hint}`);
}
