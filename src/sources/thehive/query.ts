import { post } from '../../http/post.js';
import type { HiveAlert } from './client.js';
import { describeHiveError, hiveHeaders, unreachable } from './client.js';
import type { TheHiveConfig, TheHiveFilter } from './types.js';

/** Most alerts one page asks for (TheHive pages with from/to). */
export const PAGE = 1000;

/** Builds one page of the v1 query: listAlert (or listCase), the filter, newest first, items `from` to `to`. */
export function hiveQuery(filter: TheHiveFilter, now: number, from = 0, to = PAGE): { query: Record<string, unknown>[] } {
  const and: Record<string, unknown>[] = [];
  const eq = (field: string, value: unknown) => ({ _eq: { _field: field, _value: value } });
  const anyOf = (field: string, values: unknown[] | undefined) => {
    if (values?.length) and.push({ _or: values.map((value) => eq(field, value)) });
  };
  anyOf('severity', filter.severity);
  anyOf('stage', filter.stage);
  anyOf('status', filter.status);
  anyOf('tags', filter.tags);
  if (filter.read !== undefined) and.push(eq('read', filter.read));
  if (filter.imported !== undefined) and.push(eq('imported', filter.imported));
  if (filter.max_age !== undefined) and.push({ _gte: { _field: '_createdAt', _value: now - filter.max_age } });
  for (const tag of filter.without_tags ?? []) and.push({ _not: eq('tags', tag) });
  return {
    query: [
      { _name: filter.object === 'case' ? 'listCase' : 'listAlert' },
      ...(and.length ? [{ _name: 'filter', _and: and }] : []),
      // Newest first: should the list be longer than max_items, the ones cut are the oldest, never the newest.
      { _name: 'sort', _fields: [{ _createdAt: 'desc' }] },
      { _name: 'page', from, to, extraData: [] },
    ],
  };
}

/** What reading a filter's alerts gave: the alerts (oldest first) and the requests made, a warning when max_items cut the list; or why it failed. */
export type HiveRead = { ok: true; alerts: HiveAlert[]; calls: number; truncated?: string } | { ok: false; error: string; calls: number };

/**
 * Reads every TheHive alert (or case) that matches a filter, page after page (newest first) until a short page,
 * up to `max_items`: beyond it the newest are kept and `truncated` says how many were read and how to read all.
 */
export async function queryHiveAlerts(config: TheHiveConfig, filter: TheHiveFilter, now: number, signal?: AbortSignal): Promise<HiveRead> {
  const seen = new Map<string, HiveAlert>();
  let calls = 0;
  for (let from = 0; ; ) {
    // One more than max_items tells "exactly max_items" from "more than max_items".
    const to = Math.min(from + PAGE, config.max_items + 1);
    calls++;
    const page = await queryPage(config, hiveQuery(filter, now, from, to), signal);
    if (!page.ok) return { ...page, calls };
    // An alert created between two pages shifts the list by one: the same alert may come twice, kept once.
    for (const alert of page.alerts) seen.set(alert._id, alert);
    if (seen.size > config.max_items) {
      const alerts = [...seen.values()].slice(0, config.max_items).reverse();
      const what = filter.object === 'case' ? 'cases' : 'alerts';
      return {
        ok: true,
        alerts,
        calls,
        truncated: `more than ${config.max_items} TheHive ${what} match: only the newest ${config.max_items} were read, and no key was resolved this run (narrow the filter, e.g. max_age, or raise thehive.max_items)`,
      };
    }
    if (page.alerts.length < to - from) return { ok: true, alerts: [...seen.values()].reverse(), calls };
    from = to;
  }
}

/** Sends one page of the query and checks that the answer is a list. */
async function queryPage(config: TheHiveConfig, body: { query: Record<string, unknown>[] }, signal?: AbortSignal): Promise<{ ok: true; alerts: HiveAlert[] } | { ok: false; error: string }> {
  let answer;
  try {
    answer = await post(new URL(`${config.url}/api/v1/query?name=alertcron-alerts`), JSON.stringify(body), { headers: hiveHeaders(config), timeoutMs: config.timeout, signal });
  } catch (error) {
    return { ok: false, error: unreachable(config, error) };
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
