import { post } from '../../http/post.js';
import type { HiveAlert } from './client.js';
import { describeHiveError, hiveHeaders, unreachable } from './client.js';
import type { TheHiveConfig, TheHiveFilter } from './types.js';
import { quoted, serverTime } from '../../util/serverValues.js';
import { isSafeSegment } from '../../util/pathSegment.js';

/** Most alerts one page asks for (TheHive pages with from/to). */
export const PAGE = 1000;

/**
 * Builds one page of the v1 query: listAlert (or listCase), the filter, newest first (ties by id), items `from` to
 * `to`, and with `before` only those created at or before that time (the next page of a keyset read).
 */
export function hiveQuery(filter: TheHiveFilter, now: number, from = 0, to = PAGE, before?: number): { query: Record<string, unknown>[] } {
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
  if (before !== undefined) and.push({ _lte: { _field: '_createdAt', _value: before } });
  return {
    query: [
      { _name: filter.object === 'case' ? 'listCase' : 'listAlert' },
      ...(and.length ? [{ _name: 'filter', _and: and }] : []),
      // Newest first: should the list be longer than max_items, the ones cut are the oldest, never the newest.
      { _name: 'sort', _fields: [{ _createdAt: 'desc' }, { _id: 'desc' }] },
      { _name: 'page', from, to, extraData: [] },
    ],
  };
}

/** What reading a filter's alerts gave: the alerts (oldest first) and the requests made, a warning when max_items cut the list; or why it failed. */
export type HiveRead = { ok: true; alerts: HiveAlert[]; calls: number; truncated?: string; setAside: string[] } | { ok: false; error: string; calls: number };

/** Why an item of a TheHive answer is set aside (not an object, an id that is not a safe path segment, a creation time that is not a time); undefined when it is usable. */
export function hiveItemProblem(item: unknown): string | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return `an item that is not an object (${quoted(item)})`;
  const alert = item as HiveAlert;
  if (!isSafeSegment(alert._id)) return `an item with _id ${quoted(alert._id)}, which is not a safe path segment`;
  if (serverTime(alert._createdAt) === undefined) return `${alert._id} with _createdAt ${quoted(alert._createdAt)}, which is not a time`;
  return undefined;
}

/**
 * Reads every TheHive alert (or case) that matches a filter, page after page (newest first) until a short page,
 * up to `max_items`: beyond it the newest are kept and `truncated` says how many were read and how to read all.
 */
export async function queryHiveAlerts(config: TheHiveConfig, filter: TheHiveFilter, now: number, signal?: AbortSignal): Promise<HiveRead> {
  const seen = new Map<string, HiveAlert>();
  const setAside: string[] = [];
  const what = filter.object === 'case' ? 'cases' : 'alerts';
  let calls = 0;
  // Keyset pages: each next page asks for what was created at or before the oldest seen so far, so an alert
  // that leaves the list between two pages cannot shift another one out of the read (offsets would).
  let before: number | undefined;
  for (;;) {
    calls++;
    const page = await queryPage(config, hiveQuery(filter, now, 0, PAGE, before), signal);
    if (!page.ok) return { ...page, calls };
    let fresh = 0;
    const usable: HiveAlert[] = [];
    for (const item of page.alerts) {
      const problem = hiveItemProblem(item);
      if (problem) {
        if (!setAside.includes(problem)) setAside.push(problem);
        continue;
      }
      usable.push(item);
      if (seen.has(item._id)) continue;
      seen.set(item._id, item);
      fresh++;
    }
    if (seen.size > config.max_items) {
      const alerts = [...seen.values()].slice(0, config.max_items).reverse();
      return { ok: true, alerts, calls, setAside, truncated: `more than ${config.max_items} TheHive ${what} match: only the newest ${config.max_items} were read, and no key was resolved this run (narrow the filter, e.g. max_age, or raise thehive.max_items)` };
    }
    if (page.alerts.length < PAGE) return { ok: true, alerts: [...seen.values()].reverse(), calls, setAside };
    if (!fresh) {
      return { ok: true, alerts: [...seen.values()].reverse(), calls, setAside, truncated: `more than ${PAGE} TheHive ${what} share one creation time, or none of a page could be used: the read stopped there, and no key was resolved this run` };
    }
    before = Math.min(...usable.map((a) => a._createdAt));
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
