import { post } from '../../../http/post.js';
import { errorBodyText } from '../../errorBody.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import type { Notification, Notifier } from '../../types.js';
import { pagerDutyEvent } from './event.js';
import type { PagerDutyChannelConfig } from './types.js';

/**
 * PagerDuty's answer to a refused event as one redacted line: `invalid event: Event object is invalid ('routing_key'
 * is missing or blank)` from its {status, message, errors} body, else the body's text; with a hint for a wrong key.
 */
export function describePagerDutyError(status: number, text: string): string {
  const line = errorBodyText(text, (parsed) => {
    const body = (parsed ?? {}) as { status?: unknown; message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? body.errors.map(String).join('; ') : '';
    return body.status !== undefined || body.message !== undefined ? `${String(body.status ?? 'error')}: ${String(body.message ?? '')}${errors ? ` (${errors})` : ''}` : undefined;
  });
  const hint = status === 400 && /routing.?key/i.test(line) ? " (check the channel's routing_key: the Integration Key of an Events API v2 integration)" : '';
  return `${line}${hint}`;
}

/**
 * Creates a PagerDuty notifier: each notice is one Events API v2 event (POST {api_url}/v2/enqueue), a trigger with
 * the dedup_key of its alert and key, or the resolve of that dedup_key. PagerDuty answers 202 and processes the event
 * later; the receipt keeps the dedup_key. 400 is final (PagerDuty's own words, redacted), 429 and 5xx are retried.
 */
export async function createPagerDutyNotifier(name: string, config: PagerDutyChannelConfig): Promise<Notifier> {
  const url = new URL(`${config.api_url}/v2/enqueue`);
  return {
    name,
    async send(notification: Notification, signal) {
      const event = pagerDutyEvent(config, notification);
      let answer;
      try {
        answer = await post(url, JSON.stringify(event), { headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'alertcron' }, timeoutMs: config.timeout, signal });
      } catch (error) {
        throw networkFailure('PagerDuty', error);
      }
      if (answer.status >= 200 && answer.status < 300) return { id: event.dedup_key };
      throw httpFailure(`PagerDuty at ${url.origin}`, answer.status, describePagerDutyError(answer.status, answer.text), retryAfterHeader(answer.headers));
    },
  };
}
