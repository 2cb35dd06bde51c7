import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake Slack answers the next requests. */
export type SlackBehaviour = 'ok' | 'server-error' | 'rate-limited' | 'hang' | 'no-service' | 'invalid-payload';

/** One payload Slack accepted or refused, with the answer given. */
export interface SlackRequest {
  path: string;
  body: unknown;
  status: number;
}

/** A local HTTP server speaking Slack's incoming-webhook protocol (plain-text bodies, documented statuses). */
export interface SlackServer {
  port: number;
  url: string;
  requests: SlackRequest[];
  /** The payloads Slack accepted (status 200). */
  accepted(): unknown[];
  behaviour: SlackBehaviour;
  /** Resolves when the next request arrives. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

const ANSWERS: Record<Exclude<SlackBehaviour, 'hang'>, [number, string, Record<string, string>?]> = {
  ok: [200, 'ok'],
  'server-error': [500, 'rollup_error'],
  'rate-limited': [429, 'rate_limited', { 'retry-after': '1' }],
  'no-service': [404, 'no_service'],
  'invalid-payload': [400, 'invalid_payload'],
};

/** Starts the fake Slack on 127.0.0.1; its webhook URL is `url` (a path like Slack's /services/T/B/X). */
export async function startSlackServer(): Promise<SlackServer> {
  const hanging: ServerResponse[] = [];
  let waiters: (() => void)[] = [];
  const state: SlackServer = {
    port: 0,
    url: '',
    requests: [],
    behaviour: 'ok',
    accepted: () => state.requests.filter((r) => r.status === 200).map((r) => r.body),
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => undefined,
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const behaviour = body === undefined ? 'invalid-payload' : state.behaviour;
    if (behaviour === 'hang') {
      state.requests.push({ path: req.url ?? '', body, status: 0 });
      hanging.push(res);
    } else {
      const [status, text, headers] = ANSWERS[behaviour];
      state.requests.push({ path: req.url ?? '', body, status });
      res.writeHead(status, { 'content-type': 'text/html', ...headers });
      res.end(text);
    }
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}/services/T000/B000/XXXXXXXXSECRETTOKEN`;
  state.close = () =>
    new Promise((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
