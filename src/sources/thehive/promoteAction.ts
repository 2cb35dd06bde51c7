import { get, post } from '../../http/post.js';
import { DeliveryError } from '../../notify/types.js';
import { errorMessage } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import { isSafeSegment } from '../../util/pathSegment.js';
import type { ActionResult } from '../types.js';
import { describeHiveError, hiveHeaders } from './client.js';
import type { TheHiveConfig } from './types.js';

/**
 * Creates a case from a TheHive alert (POST /api/v1/alert/{id}/case) and gives its link. Idempotent: an alert
 * that already has a case (a press applied again after a kill, or promoted in TheHive's UI) is reported with
 * that case instead of being promoted twice.
 */
export async function promoteAlert(config: TheHiveConfig, id: string, signal?: AbortSignal): Promise<ActionResult> {
  if (!isSafeSegment(id)) throw new DeliveryError(`${JSON.stringify(id)} is not a TheHive alert id (such as ~123456)`, false);
  const existing = await existingCase(config, id, signal);
  if (existing) {
    const link = `${config.url}/cases/${encodeURIComponent(existing)}/details`;
    return { message: `alert ${id} was already promoted to case ${existing}: ${link}`, link };
  }
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

/** The case an alert was already promoted to (GET /api/v1/alert/{id}: its caseId), or undefined; errors are left to the promote call. */
async function existingCase(config: TheHiveConfig, id: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const answer = await get(new URL(`${config.url}/api/v1/alert/${encodeURIComponent(id)}`), { headers: hiveHeaders(config), timeoutMs: config.timeout, signal });
    if (answer.status !== 200) return undefined;
    const alert = JSON.parse(answer.text) as { caseId?: unknown };
    return typeof alert.caseId === 'string' && alert.caseId ? alert.caseId : undefined;
  } catch {
    return undefined;
  }
}
