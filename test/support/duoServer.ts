import { createHmac } from 'node:crypto';
import { startHttpRecorder, type Answer, type RecordedRequest } from './httpRecorder.js';

/** How the fake Duo treats one user: enrolled with a push phone (and how their pushes end), not enrolled, or unknown. */
export interface DuoUser {
  enrolled: boolean;
  /**
   * What this user's next pushes end as; `waiting` until a test changes it; `timeout` when Duo ends the push
   * itself because nobody answered (auth_status: result deny, status timeout, as Duo's docs list it).
   */
  push: 'allow' | 'deny' | 'waiting' | 'timeout';
  /** The user is in bypass: preauth answers `allow` (no second factor is asked). */
  bypass?: boolean;
}

/** One push the fake Duo started. */
export interface DuoPush {
  txid: string;
  username: string;
  type: string;
  pushinfo: string;
  result: DuoUser['push'];
}

/** A local HTTP server speaking Duo Auth API v2 (signed requests, stat/response envelopes, documented error codes). */
export interface DuoServer {
  base: string;
  ikey: string;
  skey: string;
  users: Map<string, DuoUser>;
  pushes: DuoPush[];
  /** Every request with the signature check's outcome (`ok`, or the Duo error code it answered). */
  requests: (RecordedRequest & { verdict: 'ok' | number })[];
  /** When set, auth_status never answers (a long poll that outlasts the client's timeout). */
  hangStatus: boolean;
  /** When set, auth (the push) never answers: a run can be killed while it waits. */
  hangPush: boolean;
  /** What preauth says of a user it does not know: the documented 400 (default), or `allow` (a new-user policy that lets anyone through). */
  newUserPolicy: 'reject' | 'allow';
  /** How many of the next signed requests Duo rate-limits: HTTP 429 with its FAIL body (code 42901). */
  throttle: number;
  /** A misbehaving Duo whose every signed answer is a failure echoing the request's Authorization header or the secret key itself. */
  echo?: 'authorization' | 'secret_key';
  close(): Promise<void>;
}

/** Encodes like Duo's canonicalisation (written apart from the client's signer, so one cannot hide the other's bug). */
function strict(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

function canon(date: string, method: string, host: string, path: string, params: URLSearchParams): string {
  const pairs = [...params.entries()].map(([k, v]) => `${strict(k)}=${strict(v)}`).sort();
  return [date, method.toUpperCase(), host.toLowerCase(), path, pairs.join('&')].join('\n');
}

const fail = (status: number, code: number, message: string, detail?: string): Answer => ({ status, body: { stat: 'FAIL', code, message, ...(detail ? { message_detail: detail } : {}) } });
const ok = (response: unknown): Answer => ({ status: 200, body: { stat: 'OK', response } });

/** Starts the fake Duo on 127.0.0.1 with fresh integration keys; add users to `users` before asking for them. */
export async function startDuoServer(): Promise<DuoServer> {
  const ikey = 'DI' + Math.random().toString(36).slice(2, 12).toUpperCase().padEnd(18, 'X');
  const skey = 'S' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  const users = new Map<string, DuoUser>();
  const pushes: DuoPush[] = [];
  const requests: DuoServer['requests'] = [];
  let txSeq = 0;
  const handle = (request: RecordedRequest): Answer => {
    const url = new URL(request.path, 'http://x');
    const record = { ...request, verdict: 'ok' as 'ok' | number };
    requests.push(record);
    if (url.pathname === '/auth/v2/ping') return ok({ time: Math.floor(Date.now() / 1000) });
    const params = request.method === 'POST' ? new URLSearchParams(request.body) : url.searchParams;
    const date = String(request.headers.date ?? '');
    const auth = String(request.headers.authorization ?? '');
    const reject = (code: number, message: string) => {
      record.verdict = code;
      return fail(401, code, message);
    };
    if (server.echo) return fail(400, 40002, 'Invalid request parameters', `got ${server.echo === 'authorization' ? auth : skey} for ${url.pathname}`);
    if (!date || !auth.startsWith('Basic ')) return reject(40101, 'Missing request credentials');
    const [user, signature] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    if (user !== ikey) return reject(40102, 'Invalid integration key in request credentials');
    const expected = createHmac('sha512', skey).update(canon(date, request.method, String(request.headers.host ?? ''), url.pathname, params)).digest('hex');
    if (signature !== expected) return reject(40103, 'Invalid signature in request credentials');
    if (server.throttle > 0) {
      server.throttle--;
      return fail(429, 42901, 'Too Many Requests');
    }
    if (request.method === 'POST' && !String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return fail(400, 40002, 'Invalid request parameters', 'content-type');
    const username = params.get('username') ?? '';
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /auth/v2/check':
        return ok({ time: Math.floor(Date.now() / 1000) });
      case 'POST /auth/v2/preauth': {
        if (!username) return fail(400, 40001, 'Missing required request parameters', 'username');
        const u = users.get(username);
        if (!u && server.newUserPolicy === 'allow') return ok({ result: 'allow', status_msg: 'Allowing unknown user' });
        if (!u) return fail(400, 40002, 'Invalid request parameters', 'username');
        if (u.bypass) return ok({ result: 'allow', status_msg: 'Allowing bypass user' });
        if (!u.enrolled) return ok({ result: 'enroll', status_msg: 'Enroll an authentication device to proceed', enroll_portal_url: 'https://api-fake.duosecurity.com/portal?code=x' });
        return ok({ result: 'auth', status_msg: 'Account is active', devices: [{ device: 'DPFZRS9FB0D46QFTM891', type: 'phone', number: 'XXX-XXX-0100', name: '', capabilities: ['auto', 'push', 'sms', 'phone'] }] });
      }
      case 'POST /auth/v2/auth': {
        for (const key of ['username', 'factor']) if (!params.get(key)) return fail(400, 40001, 'Missing required request parameters', key);
        const u = users.get(username);
        if (!u || !u.enrolled) return fail(400, 40002, 'Invalid request parameters', 'username');
        if (params.get('factor') !== 'push' || params.get('async') !== '1') return fail(400, 40002, 'Invalid request parameters', 'this fake only does async pushes');
        if (server.hangPush) return 'hang';
        const txid = `tx-${++txSeq}-${Math.random().toString(16).slice(2, 10)}`;
        pushes.push({ txid, username, type: params.get('type') ?? '', pushinfo: params.get('pushinfo') ?? '', result: u.push });
        return ok({ txid });
      }
      case 'GET /auth/v2/auth_status': {
        const push = pushes.find((p) => p.txid === params.get('txid'));
        if (!push) return fail(400, 40002, 'Invalid request parameters', 'txid');
        if (server.hangStatus) return 'hang';
        // A push takes the user's current answer until it has one (a test may change it between runs).
        if (push.result === 'waiting') push.result = users.get(push.username)?.push ?? 'waiting';
        if (push.result === 'waiting') return ok({ result: 'waiting', status: 'pushed', status_msg: 'Pushed a login request to your device...' });
        if (push.result === 'allow') return ok({ result: 'allow', status: 'allow', status_msg: 'Success. Logging you in...' });
        if (push.result === 'timeout') return ok({ result: 'deny', status: 'timeout', status_msg: 'Login timed out.' });
        return ok({ result: 'deny', status: 'deny', status_msg: 'Login request denied.' });
      }
      default:
        return fail(404, 40401, 'Resource not found');
    }
  };
  const recorder = await startHttpRecorder(handle);
  const server: DuoServer = { base: recorder.base, ikey, skey, users, pushes, requests, hangStatus: false, hangPush: false, newUserPolicy: 'reject', throttle: 0, close: () => recorder.close() };
  return server;
}
