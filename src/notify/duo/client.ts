import type { DuoConfig } from '../../model/config.js';
import { isTimeout, request } from '../../http/post.js';
import { redact, redactedExcerpt } from '../../util/redact.js';
import { canonParams, duoDate, duoEncode, signRequest } from './sign.js';
import { oneLine } from '../../util/text.js';

/** Duo's own clients back off a 429 like this: wait 1 s (plus up to 1 s of jitter), double, give up after 32 s. */
const BACKOFF = { firstMs: 1000, factor: 2, lastMs: 32_000, jitterMs: 1000 } as const;

/** What preauth says about a user: `auth` (can authenticate, with devices), `enroll` (not enrolled), `allow` (bypass) or `deny`. */
export interface DuoPreauth {
  result: 'auth' | 'enroll' | 'allow' | 'deny';
  statusMsg: string;
  /** Whether one of the user's devices can take a push. */
  canPush: boolean;
}

/**
 * The state of a push: `waiting` until the person answers, then `allow` or `deny`; `timeout` when Duo ended the
 * push itself because nobody answered it (auth_status: result `deny` with status `timeout`).
 */
export interface DuoStatus {
  result: 'waiting' | 'allow' | 'deny' | 'timeout';
  status: string;
  statusMsg: string;
}

/** A Duo answer that is not `stat: OK` (with Duo's numeric code), or a transport failure. */
export class DuoError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'DuoError';
  }

  /** Whether Duo was still rate-limiting (HTTP 429) when the backoff ran out of time: worth trying again later. */
  get throttled(): boolean {
    return this.httpStatus === 429;
  }
}

/** The three Auth API v2 calls the ask policy needs, signed with the integration's keys. */
export interface DuoClient {
  preauth(username: string, signal?: AbortSignal): Promise<DuoPreauth>;
  /** Starts a push in async mode and returns its transaction id at once. */
  push(username: string, info: Record<string, string>, signal?: AbortSignal): Promise<string>;
  /** Reads a push's status; a read that takes longer than the configured timeout is `waiting` (the endpoint long-polls). */
  status(txid: string, signal?: AbortSignal): Promise<DuoStatus>;
}

/** Creates a Duo Auth API v2 client for a base URL (no pinned host, so a test server works), with a timeout on every request. */
export function createDuoClient(config: DuoConfig, now: () => number = Date.now): DuoClient {
  const base = new URL(config.api_url);
  const call = async (method: 'GET' | 'POST', path: string, params: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> => {
    if (config.missingSecret) throw new DuoError(config.missingSecret);
    const date = duoDate(now());
    const authorization = signRequest(config.integration_key, config.secret_key, { date, method, host: base.host, path, params });
    const query = canonParams(params);
    const url = new URL(path + (method === 'GET' && query ? `?${query}` : ''), base);
    const headers: Record<string, string> = { authorization, date, accept: 'application/json' };
    if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
    const answer = await requestWithBackoff(() => request(method, url, method === 'POST' ? query : undefined, { headers, timeoutMs: config.timeout, signal }), signal);
    let body: { stat?: string; response?: unknown; code?: number; message?: string; message_detail?: string };
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      throw new DuoError(`Duo answered HTTP ${answer.status} with no JSON`, undefined, answer.status);
    }
    if (body.stat !== 'OK' || !body.response || typeof body.response !== 'object') {
      // Redacted before cut: an answer that echoes the Authorization header (or the key) never reaches a message.
      const detail = body.message_detail ? ` (${oneLine(redact(String(body.message_detail)), 200)})` : '';
      throw new DuoError(`Duo ${path}: ${body.code ?? answer.status} ${oneLine(redact(String(body.message ?? 'failed')), 200)}${detail}`, body.code, answer.status);
    }
    return body.response as Record<string, unknown>;
  };
  return {
    async preauth(username, signal) {
      const r = await call('POST', '/auth/v2/preauth', { username }, signal);
      const devices = Array.isArray(r.devices) ? (r.devices as ({ capabilities?: unknown } | null)[]) : [];
      const result = String(r.result) as DuoPreauth['result'];
      if (!['auth', 'enroll', 'allow', 'deny'].includes(result)) throw new DuoError(`Duo preauth: unknown result ${JSON.stringify(r.result)}`);
      return { result, statusMsg: redact(String(r.status_msg ?? '')), canPush: devices.some((d) => Array.isArray(d?.capabilities) && d.capabilities.includes('push')) };
    },
    async push(username, info, signal) {
      // Duo shows pushinfo decoded as %XX only: a form-encoded + for a space would reach the phone as a +.
      const pushinfo = Object.entries(info).map(([key, value]) => `${duoEncode(key)}=${duoEncode(value)}`).join('&');
      const r = await call('POST', '/auth/v2/auth', { username, factor: 'push', device: 'auto', async: '1', type: config.push_type, pushinfo }, signal);
      if (typeof r.txid !== 'string' || !r.txid) throw new DuoError('Duo auth: no txid in the answer');
      return r.txid;
    },
    async status(txid, signal) {
      try {
        const r = await call('GET', '/auth/v2/auth_status', { txid }, signal);
        const result = String(r.result);
        if (result !== 'waiting' && result !== 'allow' && result !== 'deny') throw new DuoError(`Duo auth_status: unknown result ${redactedExcerpt(JSON.stringify(r.result) ?? '', 100)}`);
        const status = redact(String(r.status ?? ''));
        const statusMsg = redact(String(r.status_msg ?? ''));
        // Duo's docs name the status `timeout`; Duo's own mock server (duo_unix) words it "Authentication timed out."
        const expired = result === 'deny' && (status === 'timeout' || /\btimed out\b/i.test(`${status} ${statusMsg}`));
        return { result: expired ? 'timeout' : result, status, statusMsg };
      } catch (error) {
        // auth_status long-polls: our own short timeout only means the person has not answered yet.
        if (isTimeout(error) && !signal?.aborted) return { result: 'waiting', status: 'pending', statusMsg: 'no answer within the request timeout' };
        throw error;
      }
    },
  };
}

/**
 * Sends a request again while Duo answers 429, backing off as Duo's clients do, for as long as the call's signal
 * allows: when the next wait would outlast it, the 429 answer is returned (and becomes a throttled DuoError).
 */
async function requestWithBackoff<T extends { status: number }>(send: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  for (let waitMs: number = BACKOFF.firstMs; ; waitMs *= BACKOFF.factor) {
    const answer = await send();
    if (answer.status !== 429 || waitMs > BACKOFF.lastMs) return answer;
    if (!(await pause(waitMs + Math.random() * BACKOFF.jitterMs, signal))) return answer;
  }
}

/** Waits, or stops early when the signal aborts; resolves whether the whole wait passed. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (passed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      resolve(passed);
    };
    const stop = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
