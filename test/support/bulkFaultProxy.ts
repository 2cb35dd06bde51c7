import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy in front of the engine whose `_bulk` answers a test can spoil, the way a busy or odd cluster does. */
export interface BulkFaultProxy {
  url: string;
  /** Actions on documents whose id starts with this are not forwarded; their result is a 429 (es_rejected_execution). */
  rejectIdsStartingWith?: string;
  /** Every `_bulk` is answered 200 with no item results, and not forwarded. */
  dropItems?: boolean;
  /** Writes of the run lease, and renewals of partition leases, are forwarded at once but answered this much later (a host paused, a slow answer). */
  delayLeaseWritesMs?: number;
  /** Asked for each `_bulk`: a number holds it that many ms before it is forwarded (a host paused between its fence and its write). */
  holdBulk?: (body: string) => number | undefined;
  /**
   * Asked for each request (with its 1-based number since the proxy started): `before` drops the connection without
   * forwarding (the cluster never saw it), `after` forwards it and then drops the connection before the answer (the
   * write happened, its answer is lost): the client sees "socket hang up" either way. An object is answered instead.
   */
  cut?: (request: { n: number; method: string; path: string; body: string }) => 'before' | 'after' | { status: number; body: string } | undefined;
  /** Resolves when no request is held or being forwarded (a held write has reached the engine and been answered). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the proxy on a free local port forwarding to `target` (e.g. http://127.0.0.1:9250). */
export async function startBulkFaultProxy(target: string): Promise<BulkFaultProxy> {
  let busy = 0;
  const proxy: BulkFaultProxy = {
    url: '',
    idle: async () => {
      while (busy > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    close: async () => undefined,
  };
  const forward = async (method: string, path: string, headers: Record<string, string>, body: string | undefined) => {
    const answer = await fetch(`${target}${path}`, { method, headers, ...(body ? { body } : {}) });
    return { status: answer.status, text: await answer.text() };
  };
  let n = 0;
  const server = createServer(async (request, response) => {
    busy++;
    try {
      await handle(request, response);
    } finally {
      busy--;
    }
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const hold = request.url?.split('?')[0] === '/_bulk' ? proxy.holdBulk?.(body) : undefined;
    if (hold) await new Promise((resolve) => setTimeout(resolve, hold));
    const cut = proxy.cut?.({ n: ++n, method: request.method!, path: request.url!, body });
    if (cut === 'before') return request.socket.destroy();
    // An answer of the test's own instead of the cluster's (a 5xx, a proxy's page, a cut body).
    if (typeof cut === 'object') return response.writeHead(cut.status, { 'content-type': 'application/json' }).end(cut.body);
    if (cut === 'after') {
      await forward(request.method!, request.url!, request.headers['content-type'] ? { 'content-type': request.headers['content-type'] } : {}, body || undefined).catch(() => undefined);
      return request.socket.destroy();
    }
    const headers: Record<string, string> = {};
    if (request.headers['content-type']) headers['content-type'] = request.headers['content-type'];
    const send = (status: number, text: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    const isBulk = request.method === 'POST' && request.url?.split('?')[0] === '/_bulk';
    if (!isBulk || (!proxy.dropItems && !proxy.rejectIdsStartingWith)) {
      const answer = await forward(request.method!, request.url!, headers, body || undefined);
      const renewal = isBulk && /"update":\{[^}]*"_id":"part:/.test(body) && /"until":/.test(body) && !/"released":true/.test(body);
      const leaseWrite = (request.method === 'PUT' && /\/_doc\/lease:run\?/.test(request.url ?? '')) || renewal;
      if (leaseWrite && proxy.delayLeaseWritesMs) await new Promise((resolve) => setTimeout(resolve, proxy.delayLeaseWritesMs));
      return send(answer.status, answer.text);
    }
    if (proxy.dropItems) return send(200, JSON.stringify({ took: 1, errors: false, items: [] }));
    const lines = body.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const actions: { meta: Record<string, { _id: string }>; doc?: unknown; rejected: boolean }[] = [];
    for (let i = 0; i < lines.length; i++) {
      const meta = lines[i];
      const op = Object.keys(meta)[0]!;
      const doc = op === 'delete' ? undefined : lines[++i];
      actions.push({ meta, doc, rejected: meta[op]._id.startsWith(proxy.rejectIdsStartingWith!) });
    }
    const passed = actions.filter((a) => !a.rejected);
    const forwarded = passed.length
      ? (JSON.parse((await forward('POST', request.url!, headers, passed.flatMap((a) => (a.doc === undefined ? [a.meta] : [a.meta, a.doc])).map((l) => `${JSON.stringify(l)}\n`).join(''))).text).items as unknown[])
      : [];
    const items = actions.map((a) => {
      if (!a.rejected) return forwarded.shift();
      const op = Object.keys(a.meta)[0]!;
      return { [op]: { _id: a.meta[op]!._id, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (queue full)' } } };
    });
    send(200, JSON.stringify({ took: 1, errors: true, items }));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return proxy;
}
