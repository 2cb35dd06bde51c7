import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request a local service received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server whose answers a test decides, recording every request. */
export interface HttpRecorder {
  port: number;
  base: string;
  requests: RecordedRequest[];
  /** Resolves when the next request arrives. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

/** What a handler returns: status, JSON or text body, headers, a delay before answering; or 'hang' to never answer. */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | 'hang';

/** Starts a server on 127.0.0.1 that records requests and answers with `handle`; over TLS (https) with `tls`. */
export async function startHttpRecorder(handle: (request: RecordedRequest) => Answer, tls?: { key: string; cert: string }): Promise<HttpRecorder> {
  const hanging: ServerResponse[] = [];
  let waiters: (() => void)[] = [];
  const recorder = { port: 0, base: '', requests: [] as RecordedRequest[] } as HttpRecorder;
  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    recorder.requests.push(request);
    const answer = handle(request);
    if (answer === 'hang') hanging.push(res);
    else {
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      res.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json', ...answer.headers });
      res.end(text);
    }
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.port = (server.address() as AddressInfo).port;
  recorder.base = `${tls ? 'https' : 'http'}://127.0.0.1:${recorder.port}`;
  recorder.nextRequest = () => new Promise((resolve) => waiters.push(resolve));
  recorder.close = () =>
    new Promise((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return recorder;
}
