import { post, type PostResult } from '../../../http/post.js';
import { errorBodyText, jsonErrorBody } from '../../errorBody.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import type { DeliveryError, Notification, Notifier } from '../../types.js';
import { discordPayload } from './payload.js';
import type { DiscordChannelConfig } from './types.js';

/** Creates a Discord notifier: one Execute Webhook call per notice, with `?wait=true` so that the receipt is the message id. */
export async function createDiscordNotifier(name: string, config: DiscordChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification: Notification, signal) {
      const url = new URL(config.webhook_url);
      url.searchParams.set('wait', 'true');
      let answer: PostResult;
      try {
        answer = await post(url, JSON.stringify(discordPayload(config, notification)), { headers: { 'content-type': 'application/json', 'user-agent': 'alertcron' }, timeoutMs: config.timeout, signal });
      } catch (error) {
        throw networkFailure('Discord', error);
      }
      if (answer.status >= 200 && answer.status < 300) {
        const id = messageId(answer.text);
        return id ? { id } : undefined;
      }
      throw discordFailure(answer);
    },
  };
}

/** The id of the message Discord created (its answer to `wait=true`). */
function messageId(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' && /^\d{1,25}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Discord's error body: a JSON code and message, the fields it refused (nested `_errors`), and a 429's `retry_after` in seconds. */
interface DiscordError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  retry_after?: unknown;
}

/** The refused fields of a 400 as `path: message`, at most three (`embeds.0.description: Must be 4096 or fewer in length.`). */
function fieldErrors(errors: unknown, path: string[] = [], out: string[] = []): string[] {
  if (out.length >= 3 || !errors || typeof errors !== 'object') return out;
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const item of value) if (out.length < 3) out.push(`${path.join('.') || 'body'}: ${String((item as { message?: unknown })?.message ?? (item as { code?: unknown })?.code)}`);
    } else fieldErrors(value, [...path, key], out);
  }
  return out;
}

/** What a refused call means: 429 and 5xx retried (after Discord's `retry_after`, else Retry-After), others final with Discord's own words (redacted, cut). */
function discordFailure(answer: PostResult): DeliveryError {
  const body: DiscordError = jsonErrorBody(answer.text) ?? {};
  const fields = fieldErrors(body.errors);
  const words = errorBodyText(answer.text, () => [typeof body.code === 'number' && body.code > 0 ? String(body.code) : '', typeof body.message === 'string' ? body.message : '', fields.length ? `(${fields.join('; ')})` : ''].filter(Boolean).join(' '));
  const hint = answer.status === 404 || answer.status === 401 ? ' (check webhook_url: the webhook was deleted, or its URL or token is wrong)' : '';
  const seconds = typeof body.retry_after === 'number' && Number.isFinite(body.retry_after) && body.retry_after >= 0 ? body.retry_after : undefined;
  const retryAfterMs = seconds !== undefined ? Math.ceil(seconds * 1000) : retryAfterHeader(answer.headers);
  return httpFailure('Discord', answer.status, words + hint, retryAfterMs);
}
