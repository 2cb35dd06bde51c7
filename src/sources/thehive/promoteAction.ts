import { post } from '../../http/post.js';
import { DeliveryError } from '../../notify/types.js';
import { errorMessage } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import type { ActionResult } from '../types.js';
import { describeHiveError, hiveHeaders } from './client.js';
import type { TheHiveConfig } from './types.js';

/** Creates a case from a TheHive alert (POST /api/v1/alert/{id}/case) and gives its link. */
export async function promoteAlert(config: TheHiveConfig, id: string, signal?: AbortSignal): Promise<ActionResult> {
  let answer;
  try {
    answer = await post(new URL(`${config.url}/api/v1/alert/${encodeURIComponent(id)}/case`), '{}', { headers: hiveHeaders(config), timeoutMs: config.timeout, signal });
  } catch (error) {
    throw new DeliveryError(redact(`cannot reach TheHive at ${config.url}: ${errorMessage(error)}`), true);
  }
  if (answer.status !== 201 && answer.status !== 200) throw new DeliveryError(describeHiveError(config, answer.status, answer.text), answer.status >= 500);
  const created = JSON.parse(answer.text) as { _id?: string; number?: number };
  const link = `${config.url}/cases/${encodeURIComponent(created._id ?? '')}/details`;
  return { message: `case #${created.number ?? '?'} created from alert ${id}: ${link}`, link };
}
