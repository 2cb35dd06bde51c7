import { post } from '../../../http/post.js';
import { httpFailure, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import type { Notification, Notifier } from '../../types.js';
import { serviceErrorText } from '../../errorBody.js';
import { teamsBody } from './card.js';
import type { TeamsChannelConfig } from './types.js';

/**
 * Creates a Teams notifier: each notice is one POST of an Adaptive Card to the Workflows webhook. The flow answers
 * 202 Accepted before it posts the card (a card Teams refuses fails the flow's run, seen in its run history);
 * 429 (its throttling) and 5xx are retried honouring Retry-After, other answers are refused with the service's words.
 */
export async function createTeamsNotifier(name: string, config: TeamsChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification: Notification, signal) {
      let answer;
      try {
        answer = await post(new URL(config.webhook_url), teamsBody(config, notification), { headers: { 'content-type': 'application/json', 'user-agent': 'alertcron' }, timeoutMs: config.timeout, signal });
      } catch (error) {
        throw networkFailure('the Teams workflow', error);
      }
      if (answer.status >= 200 && answer.status < 300) return;
      throw httpFailure('the Teams workflow', answer.status, serviceErrorText(answer.text), retryAfterHeader(answer.headers));
    },
  };
}
