import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A proxy in front of the engine that counts the `_msearch` requests it sees. */
export interface SearchProxy {
  url: string;
  /** How many `_msearch` requests arrived so far (held ones included). */
  searches(): number;
  close(): void;
}

/**
 * Starts a proxy to `target` that passes every request on, counting the `_msearch` ones; an `_msearch` request for
 * which `hold(n)` (its 1-based number) is true is never answered (a cluster that stops answering mid-run); every
 * `_msearch` request is passed on `delayMs` after it arrived (a slow cluster).
 */
export async function startSearchProxy(target: string, hold: (n: number) => boolean = () => false, delayMs = 0): Promise<SearchProxy> {
  let searches = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.includes('_msearch') && hold(++searches)) return;
    if (req.url?.includes('_msearch') && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    searches: () => searches,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
