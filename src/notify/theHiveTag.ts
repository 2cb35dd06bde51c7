import type { TheHiveTagChannelConfig } from '../config/types.js';
import { request } from '../http/post.js';
import { describeHiveError, hiveHeaders } from '../sources/thehive.js';
import { isRetryableStatus, networkFailure } from './httpFailure.js';
import { DeliveryError, type Notifier } from './types.js';

/** Creates the internal notifier that adds tags to a TheHive alert or case (PATCH /api/v1/alert|case/{id} with addTags). */
export async function createTheHiveTagNotifier(name: string, config: TheHiveTagChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification, signal) {
      let answer;
      try {
        answer = await request('PATCH', new URL(`${config.url}/api/v1/${config.object}/${encodeURIComponent(notification.key)}`), JSON.stringify({ addTags: notification.tags ?? [] }), {
          headers: hiveHeaders(config),
          timeoutMs: config.timeout,
          signal,
        });
      } catch (error) {
        throw networkFailure('TheHive', error);
      }
      if (answer.status === 204 || answer.status === 200) return;
      throw new DeliveryError(describeHiveError(config, answer.status, answer.text), isRetryableStatus(answer.status));
    },
  };
}
