import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder, type RecordedRequest } from './httpRecorder.js';

/** One alert the fake PagerDuty holds, by dedup_key: open (triggered) until a resolve, with every trigger it got. */
export interface FakePagerDutyAlert {
  dedup_key: string;
  routing_key: string;
  status: 'triggered' | 'resolved';
  /** The payload of each trigger event added to it (the first opened it). */
  triggers: Record<string, unknown>[];
  client?: string;
  client_url?: string;
}

/**
 * A local server that follows PagerDuty's Events API v2 (POST /v2/enqueue): it validates events as PagerDuty does
 * (400 {status: "invalid event", message, errors}), keeps alerts by dedup_key (a trigger of an open alert's key adds
 * to it, a resolve resolves it, a resolve of none is accepted and dropped), and answers 202 {status, message,
 * dedup_key}; it can answer 429 and 500 on demand.
 */
export interface PagerDutyServer extends HttpRecorder {
  /** The routing keys of its Events API v2 integrations (32 characters each). */
  routingKeys: string[];
  /** Every alert ever opened, in order (a resolved one stays, and a new trigger of its key opens another). */
  alerts: FakePagerDutyAlert[];
  /** The alert open under a dedup_key, if any. */
  open(dedupKey: string): FakePagerDutyAlert | undefined;
  /** How many next events answer 429 (storing nothing); with Retry-After when `retryAfter` is set. */
  busy: number;
  retryAfter?: string;
  /** How many next events answer 500 (storing nothing). */
  failures: number;
  /** Whether its 400 answers repeat the routing key received (as a careless proxy might): redaction must hold. */
  echoKey: boolean;
}

const invalid = (errors: string[]): Answer => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });
const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const text = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** The problems PagerDuty finds in an event, in its words (empty when it is valid). */
function eventProblems(event: Record<string, unknown>, keys: readonly string[]): string[] {
  const problems: string[] = [];
  const key = event.routing_key;
  if (!text(key)) problems.push("'routing_key' is missing or blank");
  else if (key.length !== 32) problems.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!keys.includes(key)) problems.push('Invalid routing key');
  const action = event.event_action;
  if (!text(action)) problems.push("'event_action' is missing or blank");
  else if (!['trigger', 'acknowledge', 'resolve'].includes(action)) problems.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  const dedup = event.dedup_key;
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length > 255)) problems.push("'dedup_key' is too long (must be 255 characters or less)");
  if ((action === 'resolve' || action === 'acknowledge') && !text(dedup)) problems.push("'dedup_key' is missing or blank");
  if (action === 'trigger') {
    const payload = event.payload as Record<string, unknown> | undefined;
    if (!payload || typeof payload !== 'object') problems.push("'payload' is missing or blank");
    else {
      if (!text(payload.summary)) problems.push("'payload.summary' is missing or blank");
      else if (payload.summary.length > 1024) problems.push("'payload.summary' is too long (must be 1024 characters or less)");
      if (!text(payload.source)) problems.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(String(payload.severity))) problems.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
      if (payload.custom_details !== undefined && (typeof payload.custom_details !== 'object' || payload.custom_details === null)) problems.push("'payload.custom_details' must be an object");
    }
  }
  return problems;
}

/** Starts the fake PagerDuty Events API v2. */
export async function startPagerDutyServer(): Promise<PagerDutyServer> {
  const fake = { routingKeys: ['R0123456789abcdefSECRETpd0000001'], alerts: [] as FakePagerDutyAlert[], busy: 0, retryAfter: undefined as string | undefined, failures: 0, echoKey: false };
  // The handler reads the server object the tests change (busy, failures ...), not the initial values.
  let self = fake as unknown as PagerDutyServer;
  const open = (dedupKey: string) => self.alerts.find((a) => a.dedup_key === dedupKey && a.status === 'triggered');
  let next = 1;
  const handle = (request: RecordedRequest): Answer => {
    const fake = self;
    if (request.method !== 'POST' || request.path !== '/v2/enqueue') return { status: 404, body: 'Not Found' };
    if (fake.busy > 0) {
      fake.busy--;
      return { status: 429, body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' }, ...(fake.retryAfter ? { headers: { 'retry-after': fake.retryAfter } } : {}) };
    }
    if (fake.failures > 0) {
      fake.failures--;
      return { status: 500, body: 'Internal Server Error' };
    }
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return invalid(['Event object is not valid JSON']);
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) return invalid(['Event object is not a JSON object']);
    const problems = eventProblems(event, fake.routingKeys);
    if (problems.length) return invalid(fake.echoKey ? problems.map((p) => `${p}: ${String(event.routing_key)}`) : problems);
    const dedupKey = text(event.dedup_key) ? event.dedup_key : `generated-${next++}`;
    const existing = open(dedupKey);
    if (event.event_action === 'trigger') {
      if (existing) existing.triggers.push(event.payload as Record<string, unknown>);
      else fake.alerts.push({ dedup_key: dedupKey, routing_key: String(event.routing_key), status: 'triggered', triggers: [event.payload as Record<string, unknown>], ...(text(event.client) ? { client: event.client } : {}), ...(text(event.client_url) ? { client_url: event.client_url } : {}) });
    } else if (event.event_action === 'resolve' && existing) existing.status = 'resolved';
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  };
  const recorder = await startHttpRecorder(handle);
  self = Object.assign(recorder, fake, { open }) as unknown as PagerDutyServer;
  return self;
}

/** Registers hooks that start the fake PagerDuty for a test file, reset it before each test, and stop it. */
export function usePagerDutyServer(): { server: PagerDutyServer } {
  const holder = {} as { server: PagerDutyServer };
  before(async () => (holder.server = await startPagerDutyServer()));
  beforeEach(() => {
    Object.assign(holder.server, { busy: 0, retryAfter: undefined, failures: 0, echoKey: false });
    holder.server.alerts.length = 0;
    holder.server.requests.length = 0;
  });
  after(() => holder.server.close());
  return holder;
}
