import { post, type PostResult } from '../../../http/post.js';
import { errorBodyText } from '../../errorBody.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import type { Notification, Notifier } from '../../types.js';
import { noticeIncidentId } from '../../noticeIncidentId.js';
import { opsgenieAlert, opsgenieClose } from './alertBody.js';
import type { OpsgenieChannelConfig } from './types.js';

/**
 * Opsgenie's answer to a refused request as one redacted line: its `message` and the fields it names in `errors`
 * (`Request body is not processable. Please check the errors. (priority: should be one of [ P1, P2, P3, P4, P5 ])`),
 * with a hint for a key it does not take.
 */
export function describeOpsgenieError(status: number, text: string): string {
  const line = errorBodyText(text, (parsed) => {
    const body = (parsed ?? {}) as { message?: unknown; errors?: unknown };
    if (body.message === undefined) return undefined;
    const errors = body.errors && typeof body.errors === 'object' ? Object.entries(body.errors).map(([field, why]) => `${field}: ${String(why)}`).join('; ') : '';
    return `${String(body.message)}${errors ? ` (${errors})` : ''}`;
  });
  const keyProblem = status === 401 || status === 403 || (status === 422 && /key/i.test(line) && !/errors/i.test(line));
  return keyProblem ? `${line} (check the channel's api_key: the API key of an API integration in Opsgenie, and its region: us or eu)` : line;
}

/** How long Opsgenie asks to wait: Retry-After if sent, else its rate limit's period (X-RateLimit-Period-In-Sec) on a 429. */
function waitOf(answer: PostResult): number | undefined {
  const period = Number(answer.headers['x-ratelimit-period-in-sec']);
  return retryAfterHeader(answer.headers) ?? (answer.status === 429 && Number.isFinite(period) && period > 0 ? Math.min(period, 3600) * 1000 : undefined);
}

/**
 * Creates an Opsgenie notifier: a notice creates an alert (POST /v2/alerts) whose alias is that of its alert and key
 * (Opsgenie adds a repeat to the open alert of that alias), a resolved notice closes it (POST
 * /v2/alerts/{alias}/close?identifierType=alias). Opsgenie answers 202 and processes the request later: the receipt
 * keeps the alias and the request id. 4xx is final (Opsgenie's own words, redacted), 429 and 5xx are retried.
 */
export async function createOpsgenieNotifier(name: string, config: OpsgenieChannelConfig): Promise<Notifier> {
  const headers = { authorization: `GenieKey ${config.api_key}`, 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'alertcron' };
  const send = async (path: string, body: unknown, signal: AbortSignal): Promise<PostResult> => {
    try {
      return await post(new URL(`${config.api_url}${path}`), JSON.stringify(body), { headers, timeoutMs: config.timeout, signal });
    } catch (error) {
      throw networkFailure('Opsgenie', error);
    }
  };
  return {
    name,
    async send(notification: Notification, signal) {
      const alias = noticeIncidentId(notification);
      const closing = notification.reason === 'resolved';
      const answer = closing
        ? await send(`/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`, opsgenieClose(notification), signal)
        : await send('/v2/alerts', opsgenieAlert(config, notification), signal);
      // Nothing open under the alias (closed by people already): there is nothing left to close.
      if ((answer.status >= 200 && answer.status < 300) || (closing && answer.status === 404)) return { id: alias, ...requestIdOf(answer.text) };
      throw httpFailure(`Opsgenie at ${config.api_url}`, answer.status, describeOpsgenieError(answer.status, answer.text), waitOf(answer));
    },
  };
}

/** The request id of an accepted request ({result, took, requestId}), as receipt detail. */
function requestIdOf(text: string): { detail?: Record<string, string> } {
  try {
    const id = (JSON.parse(text) as { requestId?: unknown }).requestId;
    return typeof id === 'string' && /^[\w-]{1,64}$/.test(id) ? { detail: { requestId: id } } : {};
  } catch {
    return {};
  }
}
