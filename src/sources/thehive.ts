import type { TheHiveConfig, TheHiveFilter } from '../config/types.js';
import { post } from '../http/post.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** The fields of a TheHive (v1 API) alert that alertcron reads; the rest is kept for templates. */
export interface HiveAlert {
  _id: string;
  _createdAt: number;
  title?: string;
  description?: string;
  severity?: number;
  tags?: string[];
  stage?: string;
  status?: string;
  [field: string]: unknown;
}

/** Most alerts read per query; TheHive pages with from/to. */
const PAGE = 1000;

/** Builds the v1 query: listAlert (or listCase), the filter (severity, stage, status, tags, age, tags to skip), oldest first, one page. */
export function hiveQuery(filter: TheHiveFilter, now: number): { query: Record<string, unknown>[] } {
  const and: Record<string, unknown>[] = [];
  const anyOf = (field: string, values: unknown[] | undefined) => {
    if (values?.length) and.push({ _or: values.map((value) => ({ _eq: { _field: field, _value: value } })) });
  };
  anyOf('severity', filter.severity);
  anyOf('stage', filter.stage);
  anyOf('status', filter.status);
  anyOf('tags', filter.tags);
  if (filter.max_age !== undefined) and.push({ _gte: { _field: '_createdAt', _value: now - filter.max_age } });
  for (const tag of filter.without_tags ?? []) and.push({ _not: { _eq: { _field: 'tags', _value: tag } } });
  return {
    query: [
      { _name: filter.object === 'case' ? 'listCase' : 'listAlert' },
      ...(and.length ? [{ _name: 'filter', _and: and }] : []),
      { _name: 'sort', _fields: [{ _createdAt: 'asc' }] },
      { _name: 'page', from: 0, to: PAGE, extraData: [] },
    ],
  };
}

/** Headers of every TheHive request: the API key and, for multi-organisation instances, the organisation. */
export function hiveHeaders(config: TheHiveConfig): Record<string, string> {
  return {
    authorization: `Bearer ${config.api_key}`,
    'content-type': 'application/json',
    ...(config.organisation ? { 'x-organisation': config.organisation } : {}),
  };
}

/** Explains a TheHive error answer: its {type, message} body, with what to check for auth and missing APIs. */
export function describeHiveError(config: TheHiveConfig, status: number, text: string): string {
  let detail = redact(text).slice(0, 200).replace(/\s+/g, ' ');
  try {
    const body = JSON.parse(text) as { type?: string; message?: string };
    if (body.type || body.message) detail = `${body.type ?? 'error'}: ${body.message ?? ''}`;
  } catch {
    /* not JSON */
  }
  const hint =
    status === 401 || status === 403
      ? ' (check thehive.api_key and, on a multi-organisation instance, thehive.organisation)'
      : status === 404
        ? ' (check thehive.url: alertcron needs the v1 API of TheHive 4.1+ or 5)'
        : '';
  return redact(`TheHive at ${config.url} answered HTTP ${status} ${detail}${hint}`);
}

/** Reads the TheHive alerts (or cases) that match a filter, or says why it could not. */
export async function queryHiveAlerts(config: TheHiveConfig, filter: TheHiveFilter, now: number): Promise<{ ok: true; alerts: HiveAlert[] } | { ok: false; error: string }> {
  let answer;
  try {
    answer = await post(new URL(`${config.url}/api/v1/query?name=alertcron-alerts`), JSON.stringify(hiveQuery(filter, now)), {
      headers: hiveHeaders(config),
      timeoutMs: config.timeout,
    });
  } catch (error) {
    const e = error as { name?: string };
    const reason = e.name === 'AbortError' || e.name === 'TimeoutError' ? 'timed out' : errorMessage(error);
    return { ok: false, error: redact(`cannot reach TheHive at ${config.url}: ${reason}`) };
  }
  if (answer.status !== 200) return { ok: false, error: describeHiveError(config, answer.status, answer.text) };
  try {
    const alerts = JSON.parse(answer.text) as unknown;
    if (!Array.isArray(alerts)) return { ok: false, error: `TheHive at ${config.url} did not answer the query with a list` };
    return { ok: true, alerts: alerts as HiveAlert[] };
  } catch {
    return { ok: false, error: `TheHive at ${config.url} answered with something that is not JSON` };
  }
}
