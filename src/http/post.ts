import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { follow, timeoutReason } from '../util/signal.js';

/** What every request takes besides its bound: extra headers, a CA to trust, a keep-alive agent. */
interface RequestSettings {
  headers: Record<string, string>;
  ca?: string;
  agent?: KeepAliveAgent | HttpsAgent;
}

/**
 * Options of one request: its settings and at least one bound, so that no request can wait forever: `timeoutMs` (the
 * longest the whole exchange may take), `signal` (aborts it: the run's deadline, or a caller's own bound such as
 * msearch's stretchable one), or both.
 */
export type PostOptions = RequestSettings & ({ timeoutMs: number; signal?: AbortSignal } | { timeoutMs?: undefined; signal: AbortSignal });

/** The status, headers and text body of an answer. */
export interface PostResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A keep-alive agent for https requests, made on the first one: a cluster reached over http never loads node:https (and TLS). */
export class KeepAliveAgent {
  private made?: HttpsAgent;

  constructor(private readonly ca: string | undefined) {}

  /** The https agent (one connection, trusting the CA when given), made now if need be. */
  get https(): HttpsAgent {
    return (this.made ??= new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: this.ca }));
  }

  /** Closes the agent's connections, if it was ever made. */
  destroy(): void {
    this.made?.destroy();
  }
}

/** Makes a keep-alive agent for a series of requests to one cluster, trusting `ca` when given. */
export function keepAliveAgent(ca: string | undefined): KeepAliveAgent {
  return new KeepAliveAgent(ca);
}

/**
 * POSTs a body with node's own http/https (a cold start costs about 1 ms, against about 100 ms for
 * undici), failing with an AbortError (its cause a TimeoutError: see isTimeout) when the whole exchange takes longer
 * than `timeoutMs`, or with the signal's reason as cause when the signal ends it.
 */
export function post(url: URL, body: string, options: PostOptions): Promise<PostResult> {
  return send('POST', url, body, options);
}

/** GETs a URL with node's own http/https, like post(). */
export function get(url: URL, options: PostOptions): Promise<PostResult> {
  return send('GET', url, undefined, options);
}

/** Sends any method with node's own http/https, like post(). */
export function request(method: string, url: URL, body: string | undefined, options: PostOptions): Promise<PostResult> {
  return send(method, url, body, options);
}

function send(method: string, url: URL, body: string | undefined, options: PostOptions): Promise<PostResult> {
  const transport = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const parent = options.signal;
  if (parent?.aborted) return Promise.reject(abortError(parent.reason));
  return new Promise<PostResult>((resolve, reject) => {
    const headers = body === undefined ? options.headers : { ...options.headers, 'content-length': Buffer.byteLength(body) };
    const req = transport(
      url,
      {
        method,
        headers,
        agent: url.protocol !== 'https:' ? undefined : options.agent instanceof KeepAliveAgent ? options.agent.https : options.agent,
        ca: options.ca,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          done();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    // The request ends at its own deadline or when the run's signal fires, as node ends one given a signal (an
    // AbortError whose cause is the reason: a TimeoutError for the deadline), without a signal and stream listeners
    // of its own per request. The run's signal is followed through follow(): one listener on it however many
    // requests share it (a listener each gave a MaxListenersExceededWarning on stderr past 10 at once). The timer
    // fires on time however long the run's signal waits; it keeps nothing alive.
    const abort = (reason: unknown) => {
      done();
      req.destroy(abortError(reason));
    };
    // No timeoutMs: the caller bounds the exchange through its signal (msearch's, pushed back while answers are told).
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => abort(timeoutReason()), Math.max(0, options.timeoutMs));
    timer?.unref();
    const unfollow = parent ? follow(parent, abort) : undefined;
    function done() {
      clearTimeout(timer);
      unfollow?.();
    }
    function fail(error: unknown) {
      done();
      reject(error);
    }
    req.on('error', fail);
    req.end(body);
  });
}

/** Whether a request failed because a timeout fired: its own (an AbortError whose cause is a TimeoutError) or a signal's. */
export function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string } } | undefined;
  return e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError';
}

/** The error node gives a request its signal ended: an AbortError (code ABORT_ERR) with the signal's reason as cause. */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}
