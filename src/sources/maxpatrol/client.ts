import { createHash } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { post, request, type PostResult } from '../../http/post.js';
import { DeliveryError } from '../../notify/types.js';
import { registerSecret } from '../../util/redact.js';
import type { SourceToken } from '../../model/state.js';
import type { TokenKeeper } from '../types.js';
import { describeApiError, describeLoginError, hostOf, unreachable } from './errors.js';
import type { MaxPatrolConfig } from './types.js';

/** A token is renewed when less than this share of its lifetime is left ... */
const RENEW_SHARE = 0.25;
/** ... or less than this (whichever is sooner to come). */
const RENEW_BEFORE_MS = 5 * 60_000;

/** A keeper that forgets at exit: for callers that have no state to keep the token in. */
export function memoryKeeper(): TokenKeeper {
  let kept: SourceToken | undefined;
  return { get: () => kept, set: (token) => (kept = token) };
}

/** Whether a kept token is still good at `now`: not expired and not within its renewal margin. */
export function tokenIsFresh(token: SourceToken | undefined, now: number): token is SourceToken {
  if (!token) return false;
  const margin = Math.min(RENEW_BEFORE_MS, (token.expiresAt - token.obtainedAt) * RENEW_SHARE);
  return now < token.expiresAt - margin;
}

/**
 * Talks to MaxPatrol SIEM: logs in with the password grant only when the kept token is missing or near its
 * expiry, keeps the new token (with its expiry) through the keeper, and on a 401 logs in once more and repeats
 * the request. The token never appears in what it returns or throws.
 */
export class MaxPatrolClient {
  private readonly agent: HttpsAgent;
  /** Logins made by this client (the tests count them). */
  logins = 0;
  /** Whose token this client wants: a kept token of another user, client or console is not used. */
  private readonly owner: string;
  /** The one renewal after a 401 this client (one run, one command) may make, shared by concurrent requests. */
  private renewal?: Promise<string>;

  constructor(
    readonly config: MaxPatrolConfig,
    private readonly tokens: TokenKeeper,
    private readonly now: () => number,
  ) {
    this.owner = createHash('sha256').update(`${config.token_url}\n${config.client_id}\n${config.username}`).digest('hex').slice(0, 16);
    this.agent = new HttpsAgent({ keepAlive: true, maxSockets: 4, ca: config.ca, rejectUnauthorized: !config.insecure_skip_tls_verify });
    const kept = tokens.get();
    if (kept) registerSecret(kept.value);
  }

  /** The kept token when it is this user's and still fresh. */
  private usable(): SourceToken | undefined {
    const kept = this.tokens.get();
    return kept?.owner === this.owner && tokenIsFresh(kept, this.now()) ? kept : undefined;
  }

  /** The token to use: the kept one while fresh, else a new one from the token endpoint. */
  async token(signal?: AbortSignal, renew = false): Promise<string> {
    const kept = renew ? undefined : this.usable();
    return kept ? kept.value : this.login(signal);
  }

  /** Logs in with the password grant and keeps the token with its expiry. */
  async login(signal?: AbortSignal): Promise<string> {
    const c = this.config;
    const form = new URLSearchParams({ username: c.username, password: c.password, client_id: c.client_id, client_secret: c.client_secret, grant_type: 'password', response_type: 'code id_token', scope: c.scope });
    this.logins++;
    let answer: PostResult;
    try {
      answer = await post(new URL(c.token_url), form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, timeoutMs: c.timeout, agent: this.agent, signal });
    } catch (error) {
      throw unreachable(c, c.token_url, 'a login', error);
    }
    if (answer.status !== 200) throw describeLoginError(c, answer.status, answer.text);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new DeliveryError(`MaxPatrol at ${hostOf(c.token_url)} answered the login without an access_token: check maxpatrol.token_url (the console's /connect/token) and maxpatrol.client_id`, false);
    }
    registerSecret(body.access_token);
    const obtainedAt = this.now();
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
    this.tokens.set({ value: body.access_token, obtainedAt, expiresAt: obtainedAt + lifetime, owner: this.owner });
    return body.access_token;
  }

  /**
   * Sends one API request (`what` names it in errors) with the token; a 401 on a kept token renews it (at most once
   * in this client's life, however many requests meet the 401) and repeats the request. Resolves with a 2xx answer, or with a 404 when `allow404`; throws a DeliveryError otherwise.
   */
  async call(method: string, path: string, body: unknown, what: string, signal?: AbortSignal, allow404 = false): Promise<PostResult> {
    const reused = this.usable() !== undefined;
    let token = await this.token(signal);
    let answer = await this.send(method, path, body, token, what, signal);
    if (answer.status === 401 && reused) {
      // Requests in flight together that all meet the 401 share one login; a 401 after it is not renewed again.
      if (!this.renewal) {
        this.tokens.set(undefined);
        this.renewal = this.login(signal);
      }
      const renewed = await this.renewal;
      if (renewed !== token) {
        token = renewed;
        answer = await this.send(method, path, body, token, what, signal);
      }
    }
    if (answer.status === 401) this.tokens.set(undefined);
    if ((answer.status >= 200 && answer.status < 300) || (allow404 && answer.status === 404)) return answer;
    throw describeApiError(this.config, answer.status, answer.text, what);
  }

  /** One request to the core with the token, or a DeliveryError saying why it got no answer. */
  private async send(method: string, path: string, body: unknown, token: string, what: string, signal?: AbortSignal): Promise<PostResult> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await request(method, new URL(`${this.config.url}${path}`), body === undefined ? undefined : JSON.stringify(body), { headers, timeoutMs: this.config.timeout, agent: this.agent, signal });
    } catch (error) {
      throw unreachable(this.config, this.config.url, what, error);
    }
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
