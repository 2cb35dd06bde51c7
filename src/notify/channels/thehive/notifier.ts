import { post } from '../../../http/post.js';
import { describeHiveError, hiveHeaders } from '../../../sources/thehive/client.js';
import type { TheHiveConfig } from '../../../sources/thehive/types.js';
import { redact } from '../../../util/redact.js';
import { isRetryableStatus, networkFailure, retryAfterHeader } from '../../httpFailure.js';
import { DeliveryError, type Notification, type Notifier } from '../../types.js';
import { hiveAlertBody, toVersion4, type HiveAlertBody } from './alertBody.js';
import type { TheHiveChannelConfig } from './types.js';

/**
 * Creates a TheHive notifier: each notice but a resolved one becomes one alert (POST /api/v1/alert on TheHive 5,
 * POST /api/alert with artifacts on 4.1). A create TheHive refuses as a duplicate of its sourceRef (an earlier
 * attempt got through, or a run was killed before it saved the delivery) is delivered: the receipt names the alert
 * that exists, found through the query API.
 */
export async function createTheHiveNotifier(name: string, config: TheHiveChannelConfig): Promise<Notifier> {
  const hive = config.hive;
  return {
    name,
    async send(notification: Notification, signal) {
      // A TheHive alert is closed by people, in TheHive: a resolved notice creates nothing.
      if (notification.reason === 'resolved') return;
      const body = hiveAlertBody(config, notification);
      const path = hive.version === 4 ? '/api/alert' : '/api/v1/alert';
      const answer = await request(hive, path, hive.version === 4 ? toVersion4(body) : body, signal);
      if (answer.status === 201 || answer.status === 200) {
        const id = alertId(answer.text);
        return id ? { id } : undefined;
      }
      if (mayBeDuplicate(answer.status, answer.text)) {
        const id = await existingAlert(hive, body, signal);
        if (id) return { id };
        // TheHive 4.1's own words say it has the alert: one the query API does not show (another organisation's).
        if (saysAlertExists(answer.text)) throw new DeliveryError(redact(`TheHive at ${hive.url} already has alert ${body.type}:${body.source}:${body.sourceRef} but the query API does not show it (check the organisation and that the key may read alerts)`), false);
      }
      throw createFailure(hive, answer);
    },
  };
}

type Answer = Awaited<ReturnType<typeof post>>;

/** POSTs a JSON body to TheHive; a request that got no answer is a retryable DeliveryError. */
async function request(hive: TheHiveConfig, path: string, body: unknown, signal: AbortSignal): Promise<Answer> {
  try {
    return await post(new URL(`${hive.url}${path}`), JSON.stringify(body), { headers: { ...hiveHeaders(hive), 'user-agent': 'alertcron' }, timeoutMs: hive.timeout, signal });
  } catch (error) {
    throw networkFailure('TheHive', error);
  }
}

/** The `_id` (TheHive 5, v1) or `id` (TheHive 4.1's v0 answer) of a created alert. */
function alertId(text: string): string | undefined {
  try {
    const alert = JSON.parse(text) as { _id?: unknown; id?: unknown };
    const id = alert._id ?? alert.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The type and message of a TheHive error body, or undefined when it is not one. */
function errorBody(text: string): { type?: unknown; message?: unknown } | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return body && typeof body === 'object' ? (body as { type?: unknown; message?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a refused create may be TheHive's answer to a second alert with the same type, source and sourceRef: any
 * 400 or 409 of type CreateError or ConflictError (TheHive 4.1 says 400 CreateError "Alert … already exist"; TheHive
 * 5's wording is not relied on). The alert is then looked up by its sourceRef: only one that exists makes it a duplicate.
 */
function mayBeDuplicate(status: number, text: string): boolean {
  if (status !== 400 && status !== 409) return false;
  const type = errorBody(text)?.type;
  return type === 'CreateError' || type === 'ConflictError';
}

/** TheHive 4.1's own duplicate message (not "Observable already exists", the other CreateError of a create). */
function saysAlertExists(text: string): boolean {
  return /^Alert .* already exist/.test(String(errorBody(text)?.message));
}

/** The id of the alert TheHive already has for this sourceRef (type and source too), read through the v1 query API; undefined when it shows none. */
async function existingAlert(hive: TheHiveConfig, body: HiveAlertBody, signal: AbortSignal): Promise<string | undefined> {
  const eq = (field: string, value: string) => ({ _eq: { _field: field, _value: value } });
  const query = {
    query: [
      { _name: 'listAlert' },
      { _name: 'filter', _and: [eq('sourceRef', body.sourceRef), eq('type', body.type), eq('source', body.source)] },
      { _name: 'page', from: 0, to: 1, extraData: [] },
    ],
  };
  const answer = await request(hive, '/api/v1/query?name=alertcron-duplicate', query, signal);
  if (answer.status !== 200) throw createFailure(hive, answer);
  let found: unknown;
  try {
    found = (JSON.parse(answer.text) as { _id?: unknown }[])[0]?._id;
  } catch {
    /* not JSON: none shown */
  }
  return typeof found === 'string' ? found : undefined;
}

/** What a refused create means: 401/403 and 400 (the field TheHive rejected) are final, 5xx and 429 retried after Retry-After. */
function createFailure(hive: TheHiveConfig, answer: Answer): DeliveryError {
  let detail = describeHiveError(hive, answer.status, answer.text);
  // A create's 404 NotFoundError names what TheHive lacks (a custom field, an observable type), not a wrong url.
  if (answer.status === 404 && /NotFoundError/.test(detail)) detail = detail.replace(/ \(check thehive\.url[^)]*\)$/, ' (create it in TheHive, or remove it from the channel)');
  if (answer.status === 401 || answer.status === 403) detail = detail.replace(/thehive\.(api_key|organisation)/g, "the channel's (or the thehive: section's) $1");
  return new DeliveryError(detail, isRetryableStatus(answer.status), retryAfterHeader(answer.headers));
}
