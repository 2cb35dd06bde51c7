import { createHmac } from 'node:crypto';
import type { WebhookChannelConfig } from './config.js';
import { post } from '../http/post.js';
import { httpFailure, networkFailure, retryAfterHeader } from './httpFailure.js';
import type { Notification, Notifier } from './types.js';
import { usableDigest } from './digest/usable.js';
import { digestJson } from './digest/json.js';

/** The header that carries the body's HMAC-SHA256 signature when the channel has a secret. */
export const SIGNATURE_HEADER = 'x-alertcron-signature';

/** Signs a body as `sha256=<hex HMAC-SHA256>`, as receivers of the webhook verify it. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Creates a webhook notifier: a JSON POST of the notification, with its digest table if any (JSON encoding keeps log text inert). */
export async function createWebhookNotifier(name: string, config: WebhookChannelConfig): Promise<Notifier> {
  // Parsed once for the run's notices, not once per notice; a URL that does not parse fails each notice as it did
  // (could not reach the webhook (ERR_INVALID_URL)), with its error kept but never its text (it may hold a secret).
  let url: URL | undefined;
  let invalid: unknown;
  try {
    url = new URL(config.url);
  } catch (error) {
    invalid = { code: (error as { code?: string }).code };
  }
  return {
    name,
    async send(notification: Notification, signal) {
      const digest = usableDigest(notification.digest);
      const body = JSON.stringify({
        alert: notification.alert,
        key: notification.key,
        reason: notification.reason,
        title: notification.title,
        message: notification.message,
        sent_at: new Date().toISOString(),
        ...(digest ? { digest: digestJson(digest) } : {}),
      });
      const headers: Record<string, string> = { ...config.headers, 'content-type': 'application/json', 'user-agent': 'alertcron' };
      if (config.secret) headers[SIGNATURE_HEADER] = signBody(body, config.secret);
      let answer;
      try {
        if (!url) throw invalid;
        answer = await post(url, body, { headers, timeoutMs: config.timeout, signal });
      } catch (error) {
        throw networkFailure('the webhook', error);
      }
      if (answer.status >= 200 && answer.status < 300) return;
      throw httpFailure('the webhook', answer.status, '', retryAfterHeader(answer.headers));
    },
  };
}
