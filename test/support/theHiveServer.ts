import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';

/** An alert as TheHive 5's v1 API returns it (the fields alertcron and the tests use). */
export interface FakeHiveAlert {
  _id: string;
  _type: 'Alert';
  _createdAt: number;
  title: string;
  description: string;
  severity: number;
  tags: string[];
  stage: string;
  status: string;
  caseId?: string;
  [field: string]: unknown;
}

/** A local server that follows TheHive's v1 query API, alert PATCH, promote to case, and its error bodies. */
export interface TheHiveServer extends HttpRecorder {
  apiKey: string;
  alerts: FakeHiveAlert[];
  cases: { _id: string; number: number; alertId: string }[];
  /** Cases, for listCase and PATCH /api/v1/case/{id}. */
  caseList: FakeHiveAlert[];
  /** Adds a case and returns it. */
  addCase(fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }): FakeHiveAlert;
  /** How many of the next PATCH requests answer 500 (to test retries). */
  patchFailures: number;
  /** Adds an alert (stage New) and returns it. */
  addAlert(fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }): FakeHiveAlert;
}

type Filter = Record<string, unknown>;

function matches(alert: Record<string, unknown>, filter: Filter): boolean {
  const [op, arg] = Object.entries(filter)[0] ?? [];
  const field = (a: unknown) => (a as { _field: string })._field;
  const value = (a: unknown) => (a as { _value: unknown })._value;
  const actual = (a: unknown) => alert[field(a)];
  const has = (v: unknown, wanted: unknown) => (Array.isArray(v) ? v.includes(wanted) : v === wanted);
  switch (op) {
    case '_and':
      return (arg as Filter[]).every((f) => matches(alert, f));
    case '_or':
      return (arg as Filter[]).some((f) => matches(alert, f));
    case '_not':
      return !matches(alert, arg as Filter);
    case '_eq':
      return has(actual(arg), value(arg));
    case '_ne':
      return !has(actual(arg), value(arg));
    case '_gt':
      return (actual(arg) as number) > (value(arg) as number);
    case '_gte':
      return (actual(arg) as number) >= (value(arg) as number);
    case '_lt':
      return (actual(arg) as number) < (value(arg) as number);
    case '_lte':
      return (actual(arg) as number) <= (value(arg) as number);
    case '_in':
      return ((arg as { _values: unknown[] })._values ?? []).some((v) => has(actual(arg), v));
    case '_like': {
      const pattern = String(value(arg)).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
      return new RegExp(`^${pattern}$`, 'i').test(String(actual(arg) ?? ''));
    }
    default:
      throw new Error(`Invalid filter: ${String(op)}`);
  }
}

const error = (status: number, type: string, message: string): Answer => ({ status, body: { type, message } });

/** Starts the fake TheHive: Bearer auth (401 AuthenticationError), /api/v1/query, PATCH, promote to case. */
export async function startTheHiveServer(): Promise<TheHiveServer> {
  const apiKey = 'thehive-api-key-SECRET-3141';
  const alerts: FakeHiveAlert[] = [];
  const cases: TheHiveServer['cases'] = [];
  const state = { patchFailures: 0 };
  const caseList: FakeHiveAlert[] = [];
  const recorder = await startHttpRecorder((request): Answer => {
    if (request.headers.authorization !== `Bearer ${apiKey}`) return error(401, 'AuthenticationError', 'Authentication failure');
    const path = request.path.split('?')[0]!;
    if (request.method === 'POST' && path === '/api/v1/query') {
      let rows: unknown = [];
      try {
        for (const step of (JSON.parse(request.body) as { query: Record<string, unknown>[] }).query) {
          const list = rows as Record<string, unknown>[];
          switch (step._name) {
            case 'listAlert':
              rows = alerts.map((a) => ({ ...a }));
              break;
            case 'listCase':
              rows = caseList.map((c) => ({ ...c }));
              break;
            case 'filter': {
              const { _name, ...filter } = step;
              void _name;
              rows = list.filter((a) => matches(a, filter));
              break;
            }
            case 'sort': {
              const first = (step._fields as Record<string, string>[] | undefined)?.[0] ?? { _createdAt: 'asc' };
              const [field, order] = Object.entries(first)[0] ?? ['_createdAt', 'asc'];
              rows = [...list].sort((a, b) => ((a[field] as number) - (b[field] as number)) * (order === 'desc' ? -1 : 1));
              break;
            }
            case 'page':
              rows = list.slice(Number(step.from ?? 0), Number(step.to ?? list.length));
              break;
            case 'count':
              rows = list.length;
              break;
            default:
              return error(400, 'BadRequest', `Unknown query operation: ${String(step._name)}`);
          }
        }
      } catch (e) {
        return error(400, 'BadRequest', (e as Error).message);
      }
      return { status: 200, body: rows };
    }
    const patch = /^\/api\/v1\/(?:alert|case)\/([^/]+)$/.exec(path);
    const promote = /^\/api\/v1\/alert\/([^/]+)\/case$/.exec(path);
    const pool = path.startsWith('/api/v1/case/') ? caseList : alerts;
    const alert = pool.find((a) => a._id === decodeURIComponent((patch ?? promote)?.[1] ?? ''));
    if ((patch && request.method === 'PATCH') || (promote && request.method === 'POST')) {
      if (!alert) return error(404, 'NotFoundError', `Alert ${(patch ?? promote)![1]} not found`);
      if (patch && state.patchFailures > 0) {
        state.patchFailures--;
        return error(500, 'InternalError', 'database unavailable');
      }
      if (patch) {
        const body = JSON.parse(request.body) as { addTags?: string[]; removeTags?: string[]; status?: string };
        alert.tags = [...new Set([...alert.tags, ...(body.addTags ?? [])])].filter((t) => !(body.removeTags ?? []).includes(t));
        if (body.status) alert.status = body.status;
        return { status: 204, body: '' };
      }
      if (alert.caseId) return error(400, 'CreateError', `Alert ${alert._id} has already been imported`);
      const created = { _id: `~c${cases.length + 1}`, number: cases.length + 1, alertId: alert._id };
      cases.push(created);
      Object.assign(alert, { caseId: created._id, stage: 'Imported', status: 'Imported' });
      return { status: 201, body: { _id: created._id, _type: 'Case', number: created.number, title: alert.title } };
    }
    return error(404, 'NotFoundError', `${request.method} ${path} not found`);
  });
  let next = 1;
  Object.defineProperty(recorder, 'patchFailures', { get: () => state.patchFailures, set: (value: number) => (state.patchFailures = value) });
  return Object.assign(recorder as HttpRecorder & { patchFailures: number }, {
    apiKey,
    alerts,
    cases,
    caseList,
    addCase(fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }) {
      const created: FakeHiveAlert = { _id: `~${5000 + next++}`, _type: 'Alert', description: '', severity: 2, tags: [], stage: 'Closed', status: 'TruePositive', ...fields };
      caseList.push(created);
      return created;
    },
    addAlert(fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }) {
      const alert: FakeHiveAlert = { _id: `~${1000 + next++}`, _type: 'Alert', description: '', severity: 3, tags: [], stage: 'New', status: 'New', ...fields };
      alerts.push(alert);
      return alert;
    },
  });
}

/** Registers hooks that start the fake TheHive for the current test file, empty it before each test, and stop it. */
export function useTheHiveServer(): { server: TheHiveServer } {
  const holder = {} as { server: TheHiveServer };
  before(async () => (holder.server = await startTheHiveServer()));
  beforeEach(() => {
    holder.server.patchFailures = 0;
    holder.server.alerts.length = 0;
    holder.server.caseList.length = 0;
    holder.server.cases.length = 0;
    holder.server.requests.length = 0;
  });
  after(() => holder.server.close());
  return holder;
}
