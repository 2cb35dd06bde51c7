import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { boundedSignal } from '../util/signal.js';

/** Options of one POST: extra headers, a CA to trust, and a deadline for the whole exchange. */
export interface PostOptions {
  headers: Record<string, string>;
  ca?: string;
  /** The longest the whole exchange may take; none when the caller bounds it through `signal`. */
  timeoutMs?: number;
  agent?: KeepAliveAgent | HttpsAgent;
  /** Aborts the request early (the run's deadline), in addition to timeoutMs. */
  signal?: AbortSignal;
}

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
 * undici), failing with a TimeoutError when the whole exchange takes longer than `timeoutMs`.
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
  // The request's own timer fires on time even while the run's signal waits much longer (see boundedSignal).
  const bounded = boundedSignal([options.signal], options.timeoutMs);
  const answer = new Promise<PostResult>((resolve, reject) => {
    const headers = body === undefined ? options.headers : { ...options.headers, 'content-length': Buffer.byteLength(body) };
    const req = transport(
      url,
      {
        method,
        headers,
        agent: url.protocol !== 'https:' ? undefined : options.agent instanceof KeepAliveAgent ? options.agent.https : options.agent,
        ca: options.ca,
        signal: bounded.signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return answer.finally(bounded.done);
}
