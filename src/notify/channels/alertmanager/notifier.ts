import { post } from '../../../http/post.js';
import type { Receipt } from '../../../model/receipt.js';
import { clockFromEnv } from '../../../util/clock.js';
import { owedRecipients, sendToEach } from '../../eachRecipient.js';
import { errorBodyText } from '../../errorBody.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import { DeliveryError, type Notifier } from '../../types.js';
import { keptLabels, postableAlert } from './alertBody.js';
import type { AlertmanagerChannelConfig } from './types.js';

/** Alertmanager's error text (API v2 answers a JSON string, or {code, message} for a body it cannot read), one redacted line. */
function errorText(text: string): string {
  return errorBodyText(text, (body) => (typeof body === 'string' ? body : body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : undefined), 500);
}

/**
 * Creates an Alertmanager notifier: each notice is one alert POSTed to every url (as Prometheus does: each
 * Alertmanager of a cluster gets every alert). A url that fails for now keeps the delivery pending for that url
 * alone; one that refuses it for good is reported and dropped. The receipt keeps the labels sent, so the key's
 * resolve ends exactly that alert.
 */
export async function createAlertmanagerNotifier(name: string, config: AlertmanagerChannelConfig): Promise<Notifier> {
  const now = clockFromEnv();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'alertcron' };
  if (config.password) headers.authorization = `Basic ${Buffer.from(`${config.username ?? ''}:${config.password}`).toString('base64')}`;
  return {
    name,
    async send(notification, signal) {
      const alert = postableAlert(config, notification, now());
      const body = JSON.stringify([alert]);
      const urls = owedRecipients(config.urls, notification.to, (to) => config.urls.includes(to));
      const sendOne = async (url: string): Promise<string> => {
        let answer;
        try {
          answer = await post(new URL(`${url}/api/v2/alerts`), body, { headers, timeoutMs: config.timeout, signal });
        } catch (error) {
          throw networkFailure(`Alertmanager at ${url}`, error);
        }
        if (answer.status >= 200 && answer.status < 300) return alert.labels.alertcron_id!;
        const failure = httpFailure(`Alertmanager at ${url}`, answer.status, errorText(answer.text), retryAfterHeader(answer.headers));
        throw answer.status === 400 ? new DeliveryError(`${failure.message} (check the channel's labels and annotations)`, false) : failure;
      };
      const detail = keptLabels(alert.labels);
      const receipt = (): Receipt => ({ id: alert.labels.alertcron_id!, ...(detail ? { detail } : {}) });
      try {
        await sendToEach(urls, sendOne, (error) => networkFailure('Alertmanager', error));
      } catch (error) {
        if (!(error instanceof DeliveryError) || !error.partial) throw error;
        // Some Alertmanagers have it: the receipt keeps its labels (the resolve ends it there), the rest stay owed.
        throw new DeliveryError(error.message, error.retryable, error.retryAfterMs, error.nextRunOnly, error.remainingTo, receipt());
      }
      return receipt();
    },
  };
}
