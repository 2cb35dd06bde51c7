import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder, type RecordedRequest } from './httpRecorder.js';

/** An alert as the fake Alertmanager keeps it, by the fingerprint of its labels. */
export interface FakeAmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number;
  /** Whether endsAt came from resolve_timeout (the alert was sent without one). */
  timeout: boolean;
  updatedAt: number;
}

/**
 * A local server that follows Alertmanager's API v2 POST /api/v2/alerts as api/v2/api.go does: a JSON array of
 * postable alerts; startsAt defaults to now (or endsAt), a missing endsAt becomes now + resolve_timeout; empty
 * labels are dropped; a label name outside [a-zA-Z_][a-zA-Z0-9_]* (classic mode), a value that is not UTF-8 or an
 * alert without labels is refused with 400 and a JSON string; alerts are kept by label set and merged as
 * alert.Merge does (earliest startsAt; a later explicit endsAt rules). Optional Basic auth.
 */
export interface AlertmanagerServer extends HttpRecorder {
  alerts: Map<string, FakeAmAlert>;
  /** Alertmanager's global resolve_timeout (default 5m). */
  resolveTimeoutMs: number;
  /** The server's clock (a test's ALERTCRON_NOW). */
  now: () => number;
  /** Basic credentials it requires (unset: none). */
  basic?: { user: string; password: string };
  /** How many of the next posts answer 503 (an Alertmanager that is down for now). */
  unavailable: number;
  /** How many of the next posts answer 429 with Retry-After: 1. */
  busy: number;
  /** The alerts whose endsAt is after now. */
  active(): FakeAmAlert[];
  /** The alerts whose endsAt is now or before. */
  resolved(): FakeAmAlert[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const fingerprint = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const isUtf8 = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

/** Starts a fake Alertmanager. */
export async function startAlertmanagerServer(): Promise<AlertmanagerServer> {
  let state: AlertmanagerServer;
  const time = (value: unknown): number => (typeof value === 'string' && value ? Date.parse(value) : 0);

  const validate = (set: Record<string, unknown>, what: string): string | undefined => {
    for (const [name, value] of Object.entries(set)) {
      if (!LABEL_NAME.test(name)) return `invalid ${what}: invalid name "${name}"`;
      if (typeof value !== 'string' || !isUtf8(value)) return `invalid ${what}: invalid value ${JSON.stringify(value)}`;
    }
    return undefined;
  };

  const handle = (request: RecordedRequest): Answer => {
    if (state.basic && request.headers.authorization !== `Basic ${Buffer.from(`${state.basic.user}:${state.basic.password}`).toString('base64')}`) return { status: 401, body: 'Unauthorized' };
    if (request.method !== 'POST' || request.path !== '/api/v2/alerts') return { status: 404, body: '404 page not found' };
    if (state.unavailable > 0) {
      state.unavailable--;
      return { status: 503, body: 'Service Unavailable' };
    }
    if (state.busy > 0) {
      state.busy--;
      return { status: 429, body: 'Too Many Requests', headers: { 'retry-after': '1' } };
    }
    let posted: unknown;
    try {
      posted = JSON.parse(request.body);
    } catch (error) {
      return { status: 400, body: { code: 400, message: `parsing alerts body from "" failed, because ${(error as Error).message}` } };
    }
    if (!Array.isArray(posted)) return { status: 400, body: { code: 400, message: 'alerts in body must be of type array' } };
    const now = state.now();
    const errors: string[] = [];
    const valid: FakeAmAlert[] = [];
    for (const item of posted as Record<string, unknown>[]) {
      if (!item || typeof item !== 'object' || !item.labels || typeof item.labels !== 'object') return { status: 422, body: { code: 602, message: 'labels in body is required' } };
      const labels = Object.fromEntries(Object.entries(item.labels as Record<string, unknown>).filter(([, v]) => v !== ''));
      const annotations = (item.annotations as Record<string, unknown> | undefined) ?? {};
      let startsAt = time(item.startsAt);
      let endsAt = time(item.endsAt);
      const timeout = !endsAt;
      if (!startsAt) startsAt = endsAt || now;
      if (!endsAt) endsAt = now + state.resolveTimeoutMs;
      const problem = (endsAt < startsAt ? 'start time must be before end time' : undefined) ?? (Object.keys(labels).length ? validate(labels, 'label set') : 'at least one label pair required') ?? validate(annotations, 'annotations');
      if (problem) errors.push(problem);
      else valid.push({ labels: labels as Record<string, string>, annotations: annotations as Record<string, string>, startsAt, endsAt, timeout, updatedAt: now });
    }
    for (const alert of valid) {
      const id = fingerprint(alert.labels);
      const old = state.alerts.get(id);
      if (!old) {
        state.alerts.set(id, alert);
        continue;
      }
      // alert.Merge: the newer one, with the earliest startsAt; a later non-timeout endsAt of a firing alert rules.
      const merged = { ...alert, startsAt: Math.min(old.startsAt, alert.startsAt) };
      const resolved = (a: FakeAmAlert) => a.endsAt <= now;
      if (resolved(alert)) {
        if (resolved(old) && old.endsAt > alert.endsAt) merged.endsAt = old.endsAt;
      } else if (old.endsAt > alert.endsAt && !old.timeout) merged.endsAt = old.endsAt;
      state.alerts.set(id, merged);
    }
    if (errors.length) return { status: 400, body: errors.join('\n') };
    return { status: 200, body: '' };
  };

  const server = await startHttpRecorder(handle);
  state = Object.assign(server, {
    alerts: new Map<string, FakeAmAlert>(),
    resolveTimeoutMs: 5 * 60_000,
    now: Date.now as () => number,
    basic: undefined,
    unavailable: 0,
    busy: 0,
    active: () => [...state.alerts.values()].filter((a) => a.endsAt > state.now()),
    resolved: () => [...state.alerts.values()].filter((a) => a.endsAt <= state.now()),
  }) as AlertmanagerServer;
  return state;
}

/** Registers hooks that start `count` fake Alertmanagers (a cluster) for a test file, reset them before each test, and stop them. */
export function useAlertmanagerServers(count = 2): { servers: AlertmanagerServer[] } {
  const holder = { servers: [] as AlertmanagerServer[] };
  before(async () => {
    for (let i = 0; i < count; i++) holder.servers.push(await startAlertmanagerServer());
  });
  beforeEach(() => {
    for (const server of holder.servers) {
      Object.assign(server, { resolveTimeoutMs: 5 * 60_000, now: Date.now, basic: undefined, unavailable: 0, busy: 0 });
      server.alerts.clear();
      server.requests.length = 0;
    }
  });
  after(async () => {
    for (const server of holder.servers) await server.close();
  });
  return holder;
}
