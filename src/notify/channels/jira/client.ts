import { request } from '../../../http/post.js';
import { errorBodyText } from '../../errorBody.js';
import { isRetryableStatus, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import { DeliveryError } from '../../types.js';
import type { JiraChannelConfig } from './types.js';

/** An answer of Jira's REST API: status, headers and text. */
export interface JiraAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** The Authorization header of a channel: Bearer with a personal access token, else Basic with username and password. */
export function jiraAuthorization(config: JiraChannelConfig): string {
  if (config.token) return `Bearer ${config.token}`;
  return `Basic ${Buffer.from(`${config.username ?? ''}:${config.password ?? ''}`).toString('base64')}`;
}

/** Sends one request to Jira's REST API (a JSON body when given); a request that got no answer is a retryable DeliveryError. */
export async function jiraRequest(config: JiraChannelConfig, method: string, path: string, body: unknown, signal: AbortSignal): Promise<JiraAnswer> {
  const headers: Record<string, string> = { authorization: jiraAuthorization(config), accept: 'application/json', 'user-agent': 'alertcron' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await request(method, new URL(`${config.url}${path}`), body === undefined ? undefined : JSON.stringify(body), { headers, timeoutMs: config.timeout, signal });
  } catch (error) {
    throw networkFailure(`Jira at ${config.url}`, error);
  }
}

/** Jira's own words in an error body ({errorMessages: [...], errors: {field: message}}), or nothing when it is not that shape. */
function jiraErrorWords(parsed: unknown): string | undefined {
  const body = (parsed ?? {}) as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(body.errorMessages) ? body.errorMessages.map(String) : [];
  const fields = body.errors && typeof body.errors === 'object' ? Object.entries(body.errors as Record<string, unknown>).map(([field, message]) => `${field}: ${String(message)}`) : [];
  return [...messages, ...fields].join('; ') || undefined;
}

/**
 * What a refused request means, as one redacted line with Jira's own error text and a hint: 401/403 name the
 * credentials, 404 the url or the issue; 429 and 5xx are retried (after Retry-After), other answers are final.
 */
export function jiraFailure(config: JiraChannelConfig, what: string, answer: JiraAnswer): DeliveryError {
  const detail = errorBodyText(answer.text, jiraErrorWords, 500);
  const hint =
    answer.status === 401
      ? ` (check the channel's ${config.token ? 'token' : 'username and password (Jira Cloud: an API token)'})`
      : answer.status === 403
        ? ' (the account may not do this in the project: check its permissions)'
        : answer.status === 404
          ? ' (check the channel\'s url)'
          : '';
  return new DeliveryError(`Jira at ${config.url} answered HTTP ${answer.status} to ${what}${detail ? `: ${detail}` : ''}${hint}`, isRetryableStatus(answer.status), retryAfterHeader(answer.headers));
}

/** Parses a JSON answer, or undefined when it is not JSON. */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
