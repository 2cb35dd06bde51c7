import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder, type RecordedRequest } from './httpRecorder.js';
import { makeCertificates } from './tlsCert.js';

/** One incident of the fake core, with its events and its status history. */
export interface FakeIncident {
  id: string;
  key: string;
  name: string;
  category: string;
  type: string;
  status: 'New' | 'Approved' | 'InProgress' | 'Resolved' | 'Closed';
  severity: 'Low' | 'Medium' | 'High';
  /** ISO UTC with 7 fractional digits, as MaxPatrol writes it. */
  created: string;
  assigned: { id: string; firstName: string; lastName: string } | null;
  isConfirmed: boolean;
  description: string;
  events: { id: string; date: string; description: string }[];
  history: { prevStatus: string; nextStatus: string; comment: string; measures: string; changedBy: { id: string } }[];
}

/** A user of the fake core: its password, and whether its role may change incident statuses. */
interface FakeUser {
  password: string;
  canTransition: boolean;
}

/**
 * A local MaxPatrol SIEM (MP 10) over self-signed TLS: the management console's token endpoint on its own port
 * (password grant, 400 invalid_grant / invalid_client, short lifetimes) and the core's API on another (incident
 * list with timeFrom, ordering and offset/limit paging, details, events, status transitions answering 204 or
 * 400/403), with switchable failures (expired tokens answer 401, 5xx, 403).
 */
export interface MaxPatrolServer {
  token: HttpRecorder;
  api: HttpRecorder;
  tokenUrl: string;
  apiUrl: string;
  /** PEM of the CA that signed both servers' certificate (for ca_file). */
  ca: string;
  clientSecret: string;
  username: string;
  password: string;
  /** A user whose role may read incidents but not change their status (403 on transitions). */
  readOnlyUser: string;
  users: Record<string, FakeUser>;
  /** Lifetime of new tokens, in seconds (expires_in). */
  tokenLifetime: number;
  /** Tokens handed out: expiry (real time, ms) and user. */
  issued: Map<string, { expiresAt: number; user: string }>;
  /** Successful logins so far. */
  logins: number;
  incidents: FakeIncident[];
  /** The list's own cap on `limit` (a real core may give fewer rows than asked). */
  maxPageSize: number;
  /** Statuses the next list requests answer with instead of the list (e.g. [500], [403]). */
  listFailures: number[];
  /** Statuses the next transitions answer with (e.g. [500]). */
  transitionFailures: number[];
  /** Statuses the next events requests answer with instead of the events (e.g. [500], [401]). */
  eventFailures: number[];
  /** Statuses the next logins answer with (e.g. [503]). */
  loginFailures: number[];
  /** While set, the list ignores `offset` and answers every page with the first rows (a core that pages wrongly). */
  ignoreOffset: boolean;
  /** Makes every token handed out so far stale: the API answers 401 to them. */
  expireTokens(): void;
  /** While set, the API answers 401 even to fresh tokens (a client whose tokens give no API access). */
  refuseAllTokens: boolean;
  /** Adds an incident (status New, severity High, key INC-<n>) created at `created` (epoch ms), or with `created` exactly as `rawCreated` gives it (a core's bad data: any JSON value). */
  addIncident(fields: Partial<Omit<FakeIncident, 'created'>> & { created: number; events?: FakeIncident['events']; rawCreated?: unknown }): FakeIncident;
  /** MaxPatrol's way of writing a time: ISO UTC with 7 fractional digits. */
  time(ms: number): string;
  /** Forgets incidents, tokens, failures and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** MaxPatrol writes 7 fractional digits: 2024-05-01T10:00:00.1230000Z. */
const mpTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
/** Reads a time as the core does: ISO with or without Z (without: UTC); NaN for anything else. */
const parseTime = (text: unknown) => typeof text !== 'string' ? NaN : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text.replace(/(\.\d{3})\d+/, '$1') : `${text.replace(/(\.\d{3})\d+/, '$1')}Z`);
const TARGETS = new Set(['Approved', 'InProgress', 'Resolved', 'Closed']);

/** Starts both servers of the fake MaxPatrol with one throw-away CA. */
export async function startMaxPatrolServer(): Promise<MaxPatrolServer> {
  const certs = makeCertificates();
  const fake = {
    clientSecret: 'mp-client-secret-SECRET-5150',
    username: 'alertcron',
    password: 'mp password&SECRET=42',
    readOnlyUser: 'viewer',
    tokenLifetime: 300,
    issued: new Map<string, { expiresAt: number; user: string }>(),
    logins: 0,
    incidents: [] as FakeIncident[],
    maxPageSize: 1000,
    listFailures: [] as number[],
    transitionFailures: [] as number[],
    eventFailures: [] as number[],
    loginFailures: [] as number[],
    refuseAllTokens: false,
    ignoreOffset: false,
  } as MaxPatrolServer;
  fake.users = { alertcron: { password: fake.password, canTransition: true }, viewer: { password: 'viewer-SECRET-pass', canTransition: false } };
  let next = 1;

  const tokenEndpoint = (request: RecordedRequest): Answer => {
    if (request.method !== 'POST' || request.path !== '/connect/token') return { status: 404, body: '' };
    const failure = fake.loginFailures.shift();
    if (failure) return { status: failure, body: '<html><body>Service Unavailable</body></html>' };
    const form = new URLSearchParams(request.body);
    if (form.get('client_id') !== 'mpx' || form.get('client_secret') !== fake.clientSecret) return { status: 400, body: { error: 'invalid_client' } };
    if (form.get('grant_type') !== 'password') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const user = fake.users[form.get('username') ?? ''];
    if (!user || user.password !== form.get('password')) return { status: 400, body: { error: 'invalid_grant', error_description: 'invalid_username_or_password' } };
    const token = `mp-token-${randomBytes(24).toString('base64url')}`;
    fake.issued.set(token, { expiresAt: Date.now() + fake.tokenLifetime * 1000, user: form.get('username')! });
    fake.logins++;
    return { status: 200, body: { access_token: token, expires_in: fake.tokenLifetime, token_type: 'Bearer', refresh_token: randomBytes(16).toString('hex'), scope: form.get('scope') ?? '' } };
  };

  const row = (i: FakeIncident) => ({ id: i.id, key: i.key, name: i.name, category: i.category, type: i.type, status: i.status, severity: i.severity, created: i.created, assigned: i.assigned, isConfirmed: i.isConfirmed });

  const list = (body: Record<string, unknown>): Answer => {
    const failure = fake.listFailures.shift();
    if (failure) return { status: failure, body: failure === 403 ? '' : { error: 'Internal server error', traceId: randomUUID() } };
    let found = [...fake.incidents];
    if (typeof body.timeFrom === 'string' && (body.filterTimeType ?? 'creation') === 'creation') {
      const from = parseTime(body.timeFrom);
      if (Number.isNaN(from)) return { status: 400, body: { error: `Invalid timeFrom ${body.timeFrom}` } };
      // A row whose own time is not one is listed anyway: the core gives back what it holds.
      found = found.filter((i) => !(parseTime(i.created) < from));
    }
    const filter = (body.filter ?? {}) as { where?: string; orderby?: { field: string; sortOrder: string }[] };
    // A tiny subset of the PDQL-like where: key = "X", status = "X", status != "X"; anything else is ignored.
    const where = /^\s*(key|status)\s*(!?=)\s*["']([^"']+)["']\s*$/.exec(filter.where ?? '');
    if (where) found = found.filter((i) => (String(i[where[1] as 'key' | 'status']) === where[3]) === (where[2] === '='));
    const order = filter.orderby?.find((o) => o.field === 'created')?.sortOrder ?? 'descending';
    const at = (i: FakeIncident) => parseTime(i.created) || 0;
    found.sort((a, b) => (at(a) - at(b)) * (order === 'ascending' ? 1 : -1));
    const offset = fake.ignoreOffset ? 0 : Number(body.offset ?? 0);
    const limit = Math.min(Number(body.limit ?? 50), fake.maxPageSize);
    return { status: 200, body: { incidents: found.slice(offset, offset + limit).map(row), totalItems: found.length } };
  };

  const transition = (incident: FakeIncident, user: string, text: string): Answer => {
    if (!fake.users[user]?.canTransition) return { status: 403, body: '' };
    const failure = fake.transitionFailures.shift();
    if (failure) return { status: failure, body: { error: 'Internal server error' } };
    let body: { id?: string; measures?: string; message?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { status: 400, body: { error: 'The request body is not valid JSON' } };
    }
    // Assumed shape (error bodies are not public): 400 with a message, for an unknown or disallowed target.
    if (!body.id || !TARGETS.has(body.id)) return { status: 400, body: { error: `Unknown status ${String(body.id)}` } };
    if (incident.status === 'Closed') return { status: 400, body: { error: `Transition from Closed to ${body.id} is not allowed` } };
    incident.history.push({ prevStatus: incident.status, nextStatus: body.id, comment: body.message ?? '', measures: body.measures ?? '', changedBy: { id: user } });
    incident.status = body.id as FakeIncident['status'];
    if (body.id === 'Approved') incident.isConfirmed = true;
    return { status: 204, body: '' };
  };

  const apiEndpoint = (request: RecordedRequest): Answer => {
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const session = bearer ? fake.issued.get(bearer) : undefined;
    if (!session || session.expiresAt <= Date.now() || fake.refuseAllTokens) return { status: 401, body: '', headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
    const [path, query = ''] = request.path.split('?') as [string, string?];
    if (request.method === 'POST' && /^\/api\/v2\/incidents\/?$/.test(path)) {
      try {
        return list(JSON.parse(request.body) as Record<string, unknown>);
      } catch {
        return { status: 400, body: { error: 'The request body is not valid JSON' } };
      }
    }
    const m = /^\/api\/(incidentsReadModel\/)?incidents\/([^/]+)(\/events(\/count)?|\/transitions)?$/.exec(path);
    const incident = m ? fake.incidents.find((i) => i.id === decodeURIComponent(m[2]!)) : undefined;
    if (!m) return { status: 404, body: '' };
    if (!incident) return { status: 404, body: { error: `Incident ${m[2]} not found` } };
    const [, readModel, , tail, count] = m;
    if (request.method === 'GET' && readModel && !tail) return { status: 200, body: { ...row(incident), description: incident.description, detected: incident.created, correlationRuleNames: [incident.name] } };
    if (request.method === 'GET' && readModel && tail === '/transitions') return { status: 200, body: incident.history };
    if (request.method === 'GET' && !readModel && count) return { status: 200, body: { count: incident.events.length } };
    if (request.method === 'GET' && !readModel && tail === '/events') {
      const failure = fake.eventFailures.shift();
      if (failure) return { status: failure, body: failure === 401 ? '' : { error: 'Internal server error' } };
      const params = new URLSearchParams(query);
      const offset = Number(params.get('offset') ?? 0);
      const limit = Number(params.get('limit') ?? 1000);
      return { status: 200, body: incident.events.slice(offset, offset + limit) };
    }
    if (request.method === 'PUT' && !readModel && tail === '/transitions') return transition(incident, session.user, request.body);
    return { status: 405, body: '' };
  };

  fake.token = await startHttpRecorder(tokenEndpoint, certs);
  fake.api = await startHttpRecorder(apiEndpoint, certs);
  fake.tokenUrl = `https://127.0.0.1:${fake.token.port}/connect/token`;
  fake.apiUrl = `https://127.0.0.1:${fake.api.port}`;
  fake.ca = certs.ca;
  fake.time = mpTime;
  fake.expireTokens = () => {
    for (const session of fake.issued.values()) session.expiresAt = 0;
  };
  fake.addIncident = (fields) => {
    const n = next++;
    const incident: FakeIncident = {
      id: randomUUID(),
      key: `INC-${n}`,
      name: `Incident ${n}`,
      category: 'Malware',
      type: 'Attack',
      status: 'New',
      severity: 'High',
      assigned: null,
      isConfirmed: false,
      description: '',
      events: [],
      history: [],
      ...fields,
      created: mpTime(fields.created),
    };
    if ('rawCreated' in fields) {
      delete (incident as { rawCreated?: unknown }).rawCreated;
      incident.created = fields.rawCreated as string;
    }
    fake.incidents.push(incident);
    return incident;
  };
  fake.reset = () => {
    next = 1;
    fake.incidents.length = 0;
    fake.issued.clear();
    Object.assign(fake, { refuseAllTokens: false, ignoreOffset: false, logins: 0, tokenLifetime: 300, maxPageSize: 1000, listFailures: [], transitionFailures: [], eventFailures: [], loginFailures: [] });
    fake.token.requests.length = 0;
    fake.api.requests.length = 0;
  };
  fake.close = async () => {
    await fake.token.close();
    await fake.api.close();
  };
  return fake;
}

/** Registers hooks that start the fake MaxPatrol for the current test file, reset it before each test, and stop it. */
export function useMaxPatrolServer(): { server: MaxPatrolServer } {
  const holder = {} as { server: MaxPatrolServer };
  before(async () => (holder.server = await startMaxPatrolServer()));
  beforeEach(() => holder.server.reset());
  after(() => holder.server.close());
  return holder;
}

/** The `maxpatrol:` section of alertcron.yaml for the fake, secrets from the environment (see maxPatrolEnv). */
export function maxPatrolSection(server: MaxPatrolServer, caFile: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { url: server.apiUrl, token_url: server.tokenUrl, username: server.username, password: '${MP_PASSWORD}', client_secret: '${MP_CLIENT_SECRET}', ca_file: caFile, timeout: '3s', ...extra };
}

/** The environment the fake's section needs. */
export function maxPatrolEnv(server: MaxPatrolServer): Record<string, string> {
  return { MP_PASSWORD: server.password, MP_CLIENT_SECRET: server.clientSecret };
}
