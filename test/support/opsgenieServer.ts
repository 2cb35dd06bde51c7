import { randomUUID } from 'node:crypto';
import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder, type RecordedRequest } from './httpRecorder.js';

/** One alert the fake Opsgenie holds: open until closed, its count raised by each create of its alias while open. */
export interface FakeOpsgenieAlert {
  id: string;
  alias: string;
  status: 'open' | 'closed';
  count: number;
  /** The create request that opened it (message, description, responders, tags, details, entity, source, priority). */
  body: Record<string, unknown>;
  /** The close request's body, once closed. */
  closedWith?: Record<string, unknown>;
}

/**
 * A local server that follows Opsgenie's Alert API v2: `Authorization: GenieKey <key>` (401 "Could not authenticate"),
 * POST /v2/alerts (422 with {message, errors} for a body it cannot process; a create of an open alias raises that
 * alert's count instead of opening another), POST /v2/alerts/{alias}/close?identifierType=alias, each answered 202
 * {result, took, requestId} as Opsgenie processes them later; 429 with its X-RateLimit headers and 500 on demand.
 */
export interface OpsgenieServer extends HttpRecorder {
  apiKey: string;
  /** Every alert ever opened, in order. */
  alerts: FakeOpsgenieAlert[];
  /** The open alert of an alias, if any. */
  open(alias: string): FakeOpsgenieAlert | undefined;
  /** How many next requests answer 429 (X-RateLimit-State: THROTTLED, X-RateLimit-Period-In-Sec `ratePeriod`, default 1). */
  busy: number;
  ratePeriod: string;
  /** How many next requests answer 500. */
  failures: number;
  /** Whether its 401 answer repeats the Authorization header received (redaction must hold). */
  echoKey: boolean;
}

const took = () => ({ took: 0.004, requestId: randomUUID() });
const unprocessable = (errors: Record<string, string>): Answer => ({ status: 422, body: { message: 'Request body is not processable. Please check the errors.', errors, ...took() } });
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** The fields Opsgenie refuses in a create, in its words (empty when it takes it). */
function createProblems(body: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (typeof body.message !== 'string' || !body.message.trim()) errors.message = 'Message can not be empty.';
  if (body.alias !== undefined && (typeof body.alias !== 'string' || body.alias.length > 512)) errors.alias = 'Alias can not be longer than 512 characters.';
  if (body.priority !== undefined && !PRIORITIES.includes(String(body.priority))) errors.priority = 'should be one of [ P1, P2, P3, P4, P5 ]';
  if (body.responders !== undefined) {
    const ok = Array.isArray(body.responders) && body.responders.every((r) => r && typeof r === 'object' && ['team', 'user', 'escalation', 'schedule'].includes((r as { type?: string }).type ?? '') && (typeof (r as { name?: unknown }).name === 'string' || typeof (r as { username?: unknown }).username === 'string' || typeof (r as { id?: unknown }).id === 'string'));
    if (!ok) errors.responders = 'Responder type should be one of [team, user, escalation, schedule] and have an id, name or username.';
  }
  if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every((t) => typeof t === 'string'))) errors.tags = 'Tags should be a list of strings.';
  if (body.details !== undefined && !(body.details && typeof body.details === 'object' && Object.values(body.details).every((v) => typeof v === 'string'))) errors.details = 'Details should be a map of strings.';
  return errors;
}

/** Starts the fake Opsgenie Alert API. */
export async function startOpsgenieServer(): Promise<OpsgenieServer> {
  const initial = { apiKey: 'eb243592-faa2-4ba2-a551-SECRETgenie1', alerts: [] as FakeOpsgenieAlert[], busy: 0, ratePeriod: '1', failures: 0, echoKey: false };
  // The handler reads the server object the tests change (busy, failures ...), not the initial values.
  let self = initial as unknown as OpsgenieServer;
  const open = (alias: string) => self.alerts.find((a) => a.alias === alias && a.status === 'open');
  const accepted = (): Answer => ({ status: 202, body: { result: 'Request will be processed', ...took() } });
  const handle = (request: RecordedRequest): Answer => {
    const fake = self;
    const key = /^GenieKey (.*)$/.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
    if (!/^\w{8}-\w{4}-\w{4}-\w{4}-\w{12}$/.test(key)) return { status: 422, body: { message: 'Key format is not valid!', ...took() } };
    if (key !== fake.apiKey) {
      return { status: 401, body: { message: fake.echoKey ? `Could not authenticate with ${String(request.headers.authorization)}` : 'Could not authenticate', ...took() } };
    }
    if (fake.busy > 0) {
      fake.busy--;
      return { status: 429, body: { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.', ...took() }, headers: { 'x-ratelimit-state': 'THROTTLED', 'x-ratelimit-reason': 'ALERT', 'x-ratelimit-period-in-sec': fake.ratePeriod } };
    }
    if (fake.failures > 0) {
      fake.failures--;
      return { status: 500, body: { message: 'Internal Server Error', ...took() } };
    }
    const url = new URL(request.path, 'http://opsgenie');
    let body: Record<string, unknown>;
    try {
      body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, body: { message: 'Could not parse the request body.', ...took() } };
    }
    if (request.method === 'POST' && url.pathname === '/v2/alerts') {
      const errors = createProblems(body);
      if (Object.keys(errors).length) return unprocessable(errors);
      const alias = typeof body.alias === 'string' ? body.alias : randomUUID();
      const existing = open(alias);
      if (existing) existing.count++;
      else fake.alerts.push({ id: randomUUID(), alias, status: 'open', count: 1, body });
      return accepted();
    }
    const close = /^\/v2\/alerts\/([^/]+)\/close$/.exec(url.pathname);
    if (request.method === 'POST' && close) {
      if (url.searchParams.get('identifierType') !== 'alias') return { status: 422, body: { message: 'identifierType must be alias for this fake', ...took() } };
      // Processed later: closing an alias with no open alert is accepted, and the request's status says it failed.
      const existing = open(decodeURIComponent(close[1]!));
      if (existing) Object.assign(existing, { status: 'closed', closedWith: body });
      return accepted();
    }
    return { status: 404, body: { message: 'Could not find the requested resource.', ...took() } };
  };
  const recorder = await startHttpRecorder(handle);
  self = Object.assign(recorder, initial, { open }) as unknown as OpsgenieServer;
  return self;
}

/** Registers hooks that start the fake Opsgenie for a test file, reset it before each test, and stop it. */
export function useOpsgenieServer(): { server: OpsgenieServer } {
  const holder = {} as { server: OpsgenieServer };
  before(async () => (holder.server = await startOpsgenieServer()));
  beforeEach(() => {
    Object.assign(holder.server, { busy: 0, ratePeriod: '1', failures: 0, echoKey: false });
    holder.server.alerts.length = 0;
    holder.server.requests.length = 0;
  });
  after(() => holder.server.close());
  return holder;
}
