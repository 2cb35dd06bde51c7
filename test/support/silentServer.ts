import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP server that accepts every connection and never answers (no HTTP status, no TLS handshake, no SMTP greeting). */
export interface SilentServer {
  port: number;
  /** http://127.0.0.1:<port>, for a channel's or a source's url. */
  url: string;
  /** How many connections it accepted (and holds). */
  connections: number;
  close(): Promise<void>;
}

/** Starts a silent server on 127.0.0.1: every request sent to it waits until its own timeout ends it. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    silent.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const silent: SilentServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return silent;
}
