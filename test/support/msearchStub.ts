import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stub _msearch server that answers every search with an empty hit list. */
export interface MsearchStub {
  url: string;
  /** How many _msearch requests arrived so far. */
  requests(): number;
  close(): void;
}

const ok = { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 0, relation: 'eq' }, hits: [] }, status: 200 };

/** Starts a stub _msearch server that answers each request `delayMs` after it arrived, calling `onRequest(n)` (1-based) on arrival. */
export async function startMsearchStub(delayMs = 0, onRequest: (n: number) => void = () => {}): Promise<MsearchStub> {
  let requests = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    onRequest(++requests);
    let text = '';
    for await (const chunk of req) text += chunk;
    const searches = text.trim().split('\n').length / 2;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ took: 1, responses: Array.from({ length: searches }, () => ok) }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
