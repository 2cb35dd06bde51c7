import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder, type RecordedRequest } from './httpRecorder.js';
import { ALERT_STATUSES, CASE_STATUSES, makeAlert, makeCase, queryable, updatable, type FakeHiveAlert } from './theHiveModel.js';
import { BadQuery, runQuery } from './theHiveQuery.js';
import { createAlert } from './theHiveCreate.js';

export type { FakeHiveAlert } from './theHiveModel.js';

type NewObject = Partial<FakeHiveAlert> & { title: string; _createdAt: number };

/**
 * A local server that follows TheHive's v1 API (5, or 4.1 with `version = 4`): the query API with ScalliGraph's
 * filter semantics, GET/PATCH of alerts and cases, promote to case, organisations (X-Organisation), permissions
 * (a read-only key gets 403 AuthorizationError) and the real error bodies.
 */
export interface TheHiveServer extends HttpRecorder {
  apiKey: string;
  /** The key of a user whose profile may read but not update alerts (no manageAlert/update). */
  readOnlyApiKey: string;
  /** Which TheHive it plays: 5 (default) or 4 (TheHive 4.1: read/imported, no stage/status/addTags). */
  version: 4 | 5;
  /** The organisations the keys' user belongs to; the first is the default when X-Organisation is absent. */
  organisations: string[];
  alerts: FakeHiveAlert[];
  cases: { _id: string; number: number; alertId: string }[];
  /** Cases, for listCase and GET/PATCH /api/v1/case/{id}. */
  caseList: FakeHiveAlert[];
  /** Adds a case (of `organisation`, default the first) and returns it. */
  addCase(fields: NewObject, organisation?: string): FakeHiveAlert;
  /** Called after each query is answered: lets a test change the alerts between two pages of one read. */
  afterQuery?: () => void;
  /** How many of the next PATCH requests answer 500 (to test retries). */
  patchFailures: number;
  /** Adds an alert (stage New on 5, unread on 4.1; of `organisation`, default the first) and returns it. */
  addAlert(fields: NewObject, organisation?: string): FakeHiveAlert;
  /** The custom fields defined in TheHive: a create naming another gets 404 NotFoundError. */
  customFieldNames: string[];
  /** How many of the next alert creates store the alert and then answer 500 (the first attempt got through). */
  createFailures: number;
  /** How many of the next alert creates store the alert and then never answer (a run killed meanwhile). */
  createHangs: number;
  /** How many of the next alert creates answer 429 with Retry-After: 1, storing nothing. */
  createBusy: number;
  /** The server's clock for the _createdAt of created alerts (a test's ALERTCRON_NOW). */
  now: () => number;
  /** How a duplicate create is answered instead of TheHive 4.1's 400 CreateError (e.g. 409 ConflictError, as TheHive 5 may). */
  duplicateAnswer?: { status: number; type: string; message: string };
  /** How many of the next alert creates answer 409 ConflictError, storing nothing (a conflict that is no duplicate). */
  createConflicts: number;
}

const error = (status: number, type: string, message: string): Answer => ({ status, body: { type, message } });

/** Starts the fake TheHive: Bearer auth (401 AuthenticationError), /api/v1/query, GET, PATCH, promote to case. */
export async function startTheHiveServer(): Promise<TheHiveServer> {
  const fake = {
    apiKey: 'thehive-api-key-SECRET-3141',
    readOnlyApiKey: 'thehive-readonly-key-SECRET-2718',
    version: 5 as 4 | 5,
    organisations: ['soc', 'cert'],
    alerts: [] as FakeHiveAlert[],
    cases: [] as TheHiveServer['cases'],
    caseList: [] as FakeHiveAlert[],
    patchFailures: 0,
    afterQuery: undefined as (() => void) | undefined,
    customFieldNames: ['detector', 'rule'],
    createFailures: 0,
    createHangs: 0,
    createBusy: 0,
    now: Date.now as () => number,
    duplicateAnswer: undefined as TheHiveServer['duplicateAnswer'],
    createConflicts: 0,
  };
  const orgOf = new WeakMap<object, string>();
  let next = 1;

  const handle = (request: RecordedRequest): Answer => {
    const auth = request.headers.authorization;
    if (auth !== `Bearer ${fake.apiKey}` && auth !== `Bearer ${fake.readOnlyApiKey}`) return error(401, 'AuthenticationError', 'Authentication failure');
    const wanted = request.headers['x-organisation'];
    const org = typeof wanted === 'string' ? wanted : fake.organisations[0]!;
    // Assumed status (unverified in the sources): an organisation the user is not in is refused.
    if (!fake.organisations.includes(org)) return error(403, 'AuthorizationError', `You are not a member of organisation ${org}`);
    const visible = (list: FakeHiveAlert[]) => list.filter((o) => orgOf.get(o) === org);
    const path = request.path.split('?')[0]!;
    if (request.method === 'POST' && path === '/api/v1/query') {
      try {
        const steps = (JSON.parse(request.body) as { query: Record<string, unknown>[] }).query;
        const body = runQuery(steps, { Alert: visible(fake.alerts), Case: visible(fake.caseList) }, (type) => queryable(fake.version, type));
        fake.afterQuery?.();
        return { status: 200, body };
      } catch (e) {
        return error(400, 'BadRequest', e instanceof BadQuery ? e.message : `Invalid query: ${(e as Error).message}`);
      }
    }
    if (request.method === 'POST' && (path === '/api/v1/alert' || (path === '/api/alert' && fake.version === 4))) {
      if (auth === `Bearer ${fake.readOnlyApiKey}`) return error(403, 'AuthorizationError', 'Operation not permitted');
      if (fake.createBusy > 0) {
        fake.createBusy--;
        return { status: 429, body: { type: 'TooManyRequests', message: 'slow down' }, headers: { 'retry-after': '1' } };
      }
      if (fake.createConflicts > 0) {
        fake.createConflicts--;
        return error(409, 'ConflictError', 'Concurrent modification, try again');
      }
      const answer = createAlert(fake, request.body, { org, v0: path === '/api/alert', add: (fields) => server.addAlert(fields, org), visible: visible(fake.alerts) });
      const duplicate = fake.duplicateAnswer;
      if (duplicate && answer !== 'hang' && /^Alert .* already exist/.test(String((answer.body as { message?: unknown } | undefined)?.message))) return error(duplicate.status, duplicate.type, duplicate.message);
      if (answer === 'hang' || answer.status !== 201) return answer;
      if (fake.createHangs > 0) {
        fake.createHangs--;
        return 'hang';
      }
      if (fake.createFailures > 0) {
        fake.createFailures--;
        return error(500, 'InternalError', 'database unavailable');
      }
      return answer;
    }
    const one = /^\/api\/v1\/(alert|case)\/([^/]+)(\/case)?$/.exec(path);
    if (!one) return { status: 404, body: { type: 'NotFound', message: `No route for ${request.method} ${path}` } };
    const type = one[1] === 'case' ? 'Case' : 'Alert';
    const id = decodeURIComponent(one[2]!);
    const promote = one[3] !== undefined;
    if (promote ? request.method !== 'POST' || type !== 'Alert' : !['GET', 'PATCH'].includes(request.method)) {
      return { status: 404, body: { type: 'NotFound', message: `No route for ${request.method} ${path}` } };
    }
    // Another organisation's object is not visible: NotFoundError, as for an unknown id.
    const object = visible(type === 'Case' ? fake.caseList : fake.alerts).find((o) => o._id === id);
    if (!object) return error(404, 'NotFoundError', `${type} ${id} not found`);
    if (request.method === 'GET') return { status: 200, body: object };
    if (auth === `Bearer ${fake.readOnlyApiKey}`) {
      const permission = fake.version === 5 ? 'manageAlert/update' : 'manageAlert';
      return error(403, 'AuthorizationError', `Your are not authorized to ${promote ? 'create case from alert' : `update ${type.toLowerCase()}`}, you haven't the permission ${permission}`);
    }
    return promote ? promoteAlert(object, org) : patch(object, type, request.body);
  };

  const patch = (object: FakeHiveAlert, type: 'Alert' | 'Case', text: string): Answer => {
    if (fake.patchFailures > 0) {
      fake.patchFailures--;
      return error(500, 'InternalError', 'database unavailable');
    }
    const body = JSON.parse(text) as Record<string, unknown> & { addTags?: string[]; removeTags?: string[]; tags?: string[]; status?: string };
    const unknown = Object.keys(body).filter((field) => !updatable(fake.version, type).has(field));
    if (unknown.length) {
      const errors = unknown.map((name) => ({ name, type: 'UnknownAttributeError', message: `Unknown attribute ${name}: ${JSON.stringify(body[name])}` }));
      return { status: 400, body: { type: 'AttributeCheckingError', message: errors.map((e) => `[${e.message}]`).join(''), errors } };
    }
    if (body.status !== undefined && fake.version === 5) {
      const stage = (type === 'Case' ? CASE_STATUSES : ALERT_STATUSES)[body.status];
      // Assumed type and text (unverified): TheHive 5 refuses a status that is not configured.
      if (!stage) return error(400, 'BadRequest', `Status ${body.status} not found`);
      object.stage = stage;
    }
    const { addTags, removeTags, ...fields } = body;
    Object.assign(object, fields);
    object.tags = [...new Set([...object.tags, ...(addTags ?? [])])].filter((t) => !(removeTags ?? []).includes(t));
    return { status: 204, body: '' };
  };

  const promoteAlert = (alert: FakeHiveAlert, org: string): Answer => {
    if (alert.caseId) {
      const existing = fake.caseList.find((c) => c._id === alert.caseId);
      // TheHive 4.1.24 answers with the existing case (201); TheHive 5's answer is not public: the fake refuses it.
      if (fake.version === 4 && existing) return { status: 201, body: existing };
      return error(400, 'BadRequest', 'Alert is already imported');
    }
    const number = fake.caseList.length + 1;
    const created = makeCase(fake.version, `~c${fake.cases.length + 1}`, number, {
      title: alert.title,
      description: alert.description,
      severity: alert.severity,
      tags: [...alert.tags],
      _createdAt: Date.now(),
      ...(fake.version === 5 ? { status: 'New', stage: 'New' } : { status: 'Open' }),
    });
    orgOf.set(created, org);
    fake.caseList.push(created);
    fake.cases.push({ _id: created._id, number, alertId: alert._id });
    Object.assign(alert, { caseId: created._id }, fake.version === 5 ? { stage: 'Imported', status: 'Imported', importedDate: Date.now() } : {});
    return { status: 201, body: created };
  };

  const recorder = await startHttpRecorder(handle);
  const server = recorder as TheHiveServer;
  for (const name of Object.keys(fake) as (keyof typeof fake)[]) {
    Object.defineProperty(server, name, { get: () => fake[name], set: (value: never) => (fake[name] = value), enumerable: true });
  }
  server.addCase = (fields, organisation = fake.organisations[0]!) => {
    const created = makeCase(fake.version, `~${5000 + next++}`, fake.caseList.length + 1, fields);
    orgOf.set(created, organisation);
    fake.caseList.push(created);
    return created;
  };
  server.addAlert = (fields, organisation = fake.organisations[0]!) => {
    const alert = makeAlert(fake.version, `~${1000 + next++}`, fields);
    orgOf.set(alert, organisation);
    fake.alerts.push(alert);
    return alert;
  };
  return server;
}

/** Registers hooks that start the fake TheHive for the current test file, reset it before each test, and stop it. */
export function useTheHiveServer(): { server: TheHiveServer } {
  const holder = {} as { server: TheHiveServer };
  before(async () => (holder.server = await startTheHiveServer()));
  beforeEach(() => {
    const server = holder.server;
    Object.assign(server, { patchFailures: 0, version: 5, organisations: ['soc', 'cert'], afterQuery: undefined, customFieldNames: ['detector', 'rule'], createFailures: 0, createHangs: 0, createBusy: 0, now: Date.now, duplicateAnswer: undefined, createConflicts: 0 });
    server.alerts.length = 0;
    server.caseList.length = 0;
    server.cases.length = 0;
    server.requests.length = 0;
  });
  after(() => holder.server.close());
  return holder;
}
