import { post, type PostResult } from '../../../http/post.js';
import { errorBodyText, jsonErrorBody } from '../../errorBody.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import type { DeliveryError, Notification, Notifier } from '../../types.js';
import { mattermostPayload } from './payload.js';
import type { MattermostChannelConfig } from './types.js';

/** Creates a Mattermost notifier: one POST to the incoming webhook per notice (Mattermost answers 200 `ok`, no id). */
export async function createMattermostNotifier(name: string, config: MattermostChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification: Notification, signal) {
      let answer: PostResult;
      try {
        answer = await post(new URL(config.webhook_url), JSON.stringify(mattermostPayload(config, notification)), { headers: { 'content-type': 'application/json', 'user-agent': 'alertcron' }, timeoutMs: config.timeout, signal });
      } catch (error) {
        throw networkFailure('Mattermost', error);
      }
      if (answer.status >= 200 && answer.status < 300) return;
      throw mattermostFailure(answer);
    },
  };
}

/** Mattermost's error body (an AppError): its id, its message and details. */
interface AppError {
  id?: unknown;
  message?: unknown;
  detailed_error?: unknown;
}

/** What each refusal means for the person who configured the channel, by Mattermost's error id. */
const HINTS: [RegExp, string][] = [
  [/^web\.incoming_webhook\.invalid\./, 'check webhook_url: the webhook was deleted, or its URL is wrong'],
  [/^web\.incoming_webhook\.disabled\./, 'incoming webhooks are disabled: System Console > Integrations > Integration Management'],
  [/^web\.incoming_webhook\.channel_locked\./, 'the webhook is locked to its channel: remove channel:, or use a webhook of that channel'],
  [/^web\.incoming_webhook\.(channel|user)\./, 'check channel: the channel name (not its display name) or @username'],
];

/**
 * What a refused post means: 429 and 5xx retried (after Retry-After, else X-RateLimit-Reset), others final with
 * Mattermost's own message and error id (redacted, cut) and what to check.
 */
function mattermostFailure(answer: PostResult): DeliveryError {
  const body: AppError = jsonErrorBody(answer.text) ?? {};
  const id = typeof body.id === 'string' ? body.id : '';
  const words = errorBodyText(answer.text, () => [typeof body.message === 'string' ? body.message : '', typeof body.detailed_error === 'string' ? body.detailed_error : '', id ? `(${id})` : ''].filter(Boolean).join(' '));
  const hint = HINTS.find(([pattern]) => pattern.test(id))?.[1] ?? (answer.status === 404 ? 'check webhook_url' : undefined);
  const reset = Number(answer.headers['x-ratelimit-reset']);
  const retryAfterMs = retryAfterHeader(answer.headers) ?? (answer.status === 429 && Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined);
  return httpFailure('Mattermost', answer.status, `${words}${hint ? ` (${hint})` : ''}`, retryAfterMs);
}
