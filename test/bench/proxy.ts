// A small counting HTTP proxy in front of the search engine: both tools talk to the cluster through it, so
// the bench counts every HTTP request (and TCP connection) each one sends, by kind.
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What went through the proxy since the last reset. */
export interface ProxyCounts {
  requests: number;
  connections: number;
  byKind: Record<string, number>;
  /** Wall time during which at least one request was in flight (from its first byte in to its last byte out), ms. */
  busyMs: number;
  /** Documents the requests wrote: each action of a `_bulk` body, each single-document index, create or update. */
  docsWritten: number;
  /** Documents written by the kind of their id (`part`, `host`, `alert`...: the id before `:`), deletes apart as `<kind> delete` (single-document deletes too). */
  docsByKind: Record<string, number>;
}

export interface CountingProxy {
  url: string;
  port: number;
  counts(): ProxyCounts;
  reset(): void;
  close(): Promise<void>;
}

/** A coarse name for a request: the API it calls, with index names left out. */
export function kindOfRequest(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  const api = parts.find((p) => p.startsWith('_'));
  if (!api) return parts.length === 0 ? `${method} /` : `${method} <index>`;
  if (api === '_search' && parts[1] === 'scroll') return `${method} _search/scroll`;
  if (api === '_doc' || api === '_create') return `${method} ${api} (index a document)`;
  return `${method} ${api}`;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let counts = { requests: 0, connections: 0, byKind: {} as Record<string, number>, docsWritten: 0, docsByKind: {} as Record<string, number> };
  let spans: [number, number][] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    res.on('finish', () => spans.push([startedAt, performance.now()]));
    counts.requests++;
    const kind = kindOfRequest(req.method ?? 'GET', req.url ?? '/');
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    if (kind === 'POST _bulk' || kind === 'PUT _bulk') {
      const current = counts;
      let tail = '';
      req.on('data', (chunk: Buffer) => {
        const lines = (tail + chunk.toString('utf8')).split('\n');
        tail = lines.pop() ?? '';
        for (const line of lines.filter(isBulkAction)) countDoc(current, bulkActionKind(line));
      });
      req.on('end', () => void (isBulkAction(tail) && countDoc(current, bulkActionKind(tail))));
    } else if (/^(PUT|POST) (_doc|_create|_update)/.test(kind)) countDoc(counts, docKind(idInPath(req.url ?? '')));
    else if (/^DELETE _doc/.test(kind)) {
      // A single-document delete: by kind only (docsWritten has always counted bulk actions and single writes).
      const k = `${docKind(idInPath(req.url ?? ''))} delete`;
      counts.docsByKind[k] = (counts.docsByKind[k] ?? 0) + 1;
    }
    const headers = { ...req.headers, host: upstream.host };
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => counts.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts: () => ({ ...counts, byKind: { ...counts.byKind }, docsByKind: { ...counts.docsByKind }, busyMs: unionMs(spans) }),
    reset: () => {
      counts = { requests: 0, connections: 0, byKind: {}, docsWritten: 0, docsByKind: {} };
      spans = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/** Counts one written document (docsWritten) under its kind (docsByKind). */
function countDoc(c: { docsWritten: number; docsByKind: Record<string, number> }, kind: string): void {
  c.docsWritten++;
  c.docsByKind[kind] = (c.docsByKind[kind] ?? 0) + 1;
}

/** The kind of a document id: its part before the first `:` (`part:3` -> `part`); ids without one are `other`. */
export function docKind(id: string | undefined): string {
  const i = id ? id.indexOf(':') : -1;
  return i > 0 ? id!.slice(0, i) : 'other';
}

/** The id of a single-document request (`/<index>/_doc/<id>`, `_create`, `_update`), decoded. */
function idInPath(url: string): string | undefined {
  const m = /\/_(?:doc|create|update)\/([^/?]+)/.exec(url);
  try {
    return m ? decodeURIComponent(m[1]!) : undefined;
  } catch {
    return m?.[1];
  }
}

/** The kind of the document a `_bulk` action line writes (`<kind> delete` for a delete). */
export function bulkActionKind(line: string): string {
  try {
    const action = JSON.parse(line) as Record<string, { _id?: string }>;
    const [op, meta] = Object.entries(action)[0] ?? [];
    return op === 'delete' ? `${docKind(meta?._id)} delete` : docKind(meta?._id);
  } catch {
    return 'other';
  }
}

/** Whether a line of a `_bulk` body is an action (index, create, update, delete) rather than a document source. */
function isBulkAction(line: string): boolean {
  return /^\s*\{\s*"(index|create|update|delete)"\s*:/.test(line);
}

/** Total length of the union of time spans. */
function unionMs(spans: [number, number][]): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (s > end) {
      if (end > start) total += end - start;
      start = s;
      end = e;
    } else if (e > end) end = e;
  }
  if (end > start) total += end - start;
  return total;
}
