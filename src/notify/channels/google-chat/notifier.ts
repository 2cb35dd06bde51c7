import { setTimeout as sleep } from 'node:timers/promises';
import { post } from '../../../http/post.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import { DeliveryError, type Notification, type Notifier } from '../../types.js';
import { serviceErrorText } from '../../errorBody.js';
import { googleChatBody, threadKeyOf } from './message.js';
import type { GoogleChatChannelConfig } from './types.js';

/** Google Chat takes about one message a second from a space's webhooks: sends of one channel are this far apart. */
export const SEND_INTERVAL_MS = 1_000;

/** The webhook URL of a send: a threaded notice asks to join its thread, or start it (REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD). */
function sendUrl(config: GoogleChatChannelConfig, threaded: boolean): URL {
  const url = new URL(config.webhook_url);
  if (threaded) url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  return url;
}

/** The created message's name and thread from Google Chat's answer (the Message resource), when it names them. */
function receiptOf(text: string): { id?: string; thread?: string } | undefined {
  try {
    const message = JSON.parse(text) as { name?: unknown; thread?: { name?: unknown } };
    const id = typeof message.name === 'string' ? message.name : undefined;
    const thread = typeof message.thread?.name === 'string' ? message.thread.name : undefined;
    return id || thread ? { ...(id ? { id } : {}), ...(thread ? { thread } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a Google Chat notifier: one POST per notice to the space's incoming webhook, one at a time and at least
 * SEND_INTERVAL_MS apart (the space's rate limit). 429 RESOURCE_EXHAUSTED and 5xx are retried, other answers are
 * refused with Google's own error status and message.
 */
export async function createGoogleChatNotifier(name: string, config: GoogleChatChannelConfig): Promise<Notifier> {
  let lastSend = 0;
  return {
    name,
    slots: 1,
    async send(notification: Notification, signal) {
      const body = googleChatBody(config, notification);
      const wait = lastSend + SEND_INTERVAL_MS - Date.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          throw new DeliveryError('timed out', true);
        }
      }
      let answer;
      try {
        answer = await post(sendUrl(config, threadKeyOf(config, notification) !== undefined), body, { headers: { 'content-type': 'application/json; charset=UTF-8', 'user-agent': 'alertcron' }, timeoutMs: config.timeout, signal });
      } catch (error) {
        throw networkFailure('Google Chat', error);
      } finally {
        // Counted from the answer: Google took the message at some moment before it, never after.
        lastSend = Date.now();
      }
      if (answer.status >= 200 && answer.status < 300) return receiptOf(answer.text);
      throw httpFailure('Google Chat', answer.status, serviceErrorText(answer.text), retryAfterHeader(answer.headers));
    },
  };
}
