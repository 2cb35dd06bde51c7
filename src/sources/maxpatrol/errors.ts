import { DeliveryError } from '../../notify/types.js';
import { errorMessage } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import type { MaxPatrolConfig } from './types.js';
import { oneLine } from '../../util/text.js';

/** The host of a URL as users wrote it (e.g. siem.example.org or siem.example.org:3334). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Node's error codes of a certificate that could not be verified. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

/** A DeliveryError for a request that got no answer: timed out, refused, or a certificate not trusted; retryable except for TLS. */
export function unreachable(config: MaxPatrolConfig, url: string, what: string, error: unknown): DeliveryError {
  const e = error as { name?: string; code?: string };
  const tls = typeof e.code === 'string' && TLS_CODES.test(e.code);
  const reason = e.name === 'AbortError' || e.name === 'TimeoutError' ? `timed out after ${config.timeout / 1000}s` : errorMessage(error);
  const check = tls
    ? 'set maxpatrol.ca_file to the CA that signed its certificate'
    : url === config.token_url
      ? 'check maxpatrol.token_url and that its port (3334 by default) is open from this host'
      : 'check maxpatrol.url and the network between this host and the core';
  return new DeliveryError(redact(`cannot reach MaxPatrol at ${hostOf(url)} for ${what}: ${reason} (${check})`), !tls);
}

/** A short, single-line, redacted excerpt of an answer's body. */
export function excerpt(text: string): string {
  return oneLine(redact(text), 200);
}

/** Explains an error answer of the token endpoint: bad credentials (400 invalid_grant), a bad client, or a failing console. */
export function describeLoginError(config: MaxPatrolConfig, status: number, text: string): DeliveryError {
  let error = '';
  let description = '';
  try {
    const body = JSON.parse(text) as { error?: string; error_description?: string };
    error = String(body.error ?? '');
    description = String(body.error_description ?? '');
  } catch {
    /* not JSON */
  }
  const host = hostOf(config.token_url);
  const detail = error ? `${error}${description ? `: ${description}` : ''}` : excerpt(text);
  if (error === 'invalid_grant' || /invalid_username_or_password/.test(text)) {
    return new DeliveryError(redact(`MaxPatrol at ${host} refused the login (HTTP ${status} ${detail}): check maxpatrol.username and maxpatrol.password`), false);
  }
  if (status >= 500) return new DeliveryError(redact(`MaxPatrol at ${host} answered the login with HTTP ${status} ${detail}: check the management console's services (the next run tries again)`), true);
  return new DeliveryError(redact(`MaxPatrol at ${host} refused the login (HTTP ${status} ${detail}): check maxpatrol.client_id, maxpatrol.client_secret (in the core's install.sh) and maxpatrol.scope`), false);
}

/** Explains an error answer of the core's API to one request (`what`: "the incident list", "the status change of INC-7" ...). */
export function describeApiError(config: MaxPatrolConfig, status: number, text: string, what: string): DeliveryError {
  const host = hostOf(config.url);
  const body = excerpt(text);
  const detail = body ? ` ${body}` : '';
  if (status === 401) {
    return new DeliveryError(redact(`MaxPatrol at ${host} refused a fresh token for ${what} (HTTP 401): check that maxpatrol.client_id and maxpatrol.scope give access to the API (mpx.api)`), false);
  }
  if (status === 403) {
    return new DeliveryError(redact(`MaxPatrol at ${host} answered HTTP 403 to ${what}: check that the user ${config.username} has a role that allows it in MaxPatrol${detail ? ` (${body})` : ''}`), false);
  }
  if (status === 404) return new DeliveryError(redact(`MaxPatrol at ${host} answered HTTP 404 to ${what}: check maxpatrol.url (the core's address, not the console's :3334)${detail ? ` (${body})` : ''}`), false);
  if (status >= 500) return new DeliveryError(redact(`MaxPatrol at ${host} answered HTTP ${status} to ${what}: check the core's services (the next run tries again)${detail ? ` (${body})` : ''}`), true);
  return new DeliveryError(redact(`MaxPatrol at ${host} answered HTTP ${status} to ${what}${detail ? `: ${body}` : ''}`), status === 429);
}
