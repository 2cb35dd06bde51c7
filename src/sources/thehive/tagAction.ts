import { request } from '../../http/post.js';
import { isRetryableStatus, networkFailure } from '../../notify/httpFailure.js';
import { DeliveryError } from '../../notify/types.js';
import type { ActionResult } from '../types.js';
import { describeHiveError, hiveHeaders } from './client.js';
import type { TheHiveConfig } from './types.js';

/** Adds tags to a TheHive alert or case (PATCH /api/v1/alert|case/{id} with addTags); a failure says whether a retry may help. */
export async function addTags(config: TheHiveConfig, object: 'alert' | 'case', id: string, tags: string[], signal?: AbortSignal): Promise<ActionResult> {
  let answer;
  try {
    answer = await request('PATCH', new URL(`${config.url}/api/v1/${object}/${encodeURIComponent(id)}`), JSON.stringify({ addTags: tags }), {
      headers: hiveHeaders(config),
      timeoutMs: config.timeout,
      signal,
    });
  } catch (error) {
    throw networkFailure('TheHive', error);
  }
  if (answer.status === 204 || answer.status === 200) return { message: `tagged ${object} ${id}: ${tags.join(', ')}` };
  throw new DeliveryError(describeHiveError(config, answer.status, answer.text), isRetryableStatus(answer.status));
}
