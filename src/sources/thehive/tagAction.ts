import { get, request } from '../../http/post.js';
import { isRetryableStatus, networkFailure } from '../../notify/httpFailure.js';
import { DeliveryError } from '../../notify/types.js';
import { isSafeSegment } from '../../util/pathSegment.js';
import type { ActionResult } from '../types.js';
import { describeHiveError, hiveHeaders } from './client.js';
import type { TheHiveConfig } from './types.js';

/**
 * Adds tags to a TheHive alert or case: PATCH /api/v1/alert|case/{id} with addTags on TheHive 5; on TheHive 4.1,
 * which has no addTags, reads the object's tags and PATCHes the full list. A failure says whether a retry may help.
 */
export async function addTags(config: TheHiveConfig, object: 'alert' | 'case', id: string, tags: string[], signal?: AbortSignal): Promise<ActionResult> {
  if (!isSafeSegment(id)) throw new DeliveryError(`${JSON.stringify(id)} is not a TheHive ${object} id (such as ~123456)`, false);
  const url = new URL(`${config.url}/api/v1/${object}/${encodeURIComponent(id)}`);
  const options = { headers: hiveHeaders(config), timeoutMs: config.timeout, signal };
  let body = JSON.stringify({ addTags: tags });
  if (config.version === 4) {
    const current = await call(config, () => get(url, options));
    let existing: unknown;
    try {
      existing = (JSON.parse(current.text) as { tags?: unknown }).tags;
    } catch {
      throw new DeliveryError(`TheHive at ${config.url} answered GET ${object} ${id} with something that is not JSON`, true);
    }
    body = JSON.stringify({ tags: [...new Set([...(Array.isArray(existing) ? existing.map(String) : []), ...tags])] });
  }
  await call(config, () => request('PATCH', url, body, options));
  return { message: `tagged ${object} ${id}: ${tags.join(', ')}` };
}

/** One request of a tag write: its 2xx answer, or a DeliveryError saying whether a retry may help. */
async function call(config: TheHiveConfig, send: () => Promise<{ status: number; text: string }>): Promise<{ status: number; text: string }> {
  let answer;
  try {
    answer = await send();
  } catch (error) {
    throw networkFailure('TheHive', error);
  }
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw new DeliveryError(describeHiveError(config, answer.status, answer.text), isRetryableStatus(answer.status));
}
