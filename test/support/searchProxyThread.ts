import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startSearchProxy } from './searchProxy.js';

/** A delaying search proxy (searchProxy.ts) run in a worker thread: its delays pass while this thread is busy. */
export interface SearchProxyThread {
  url: string;
  /** How many `_msearch` requests it reported so far. */
  searches(): number;
  close(): Promise<void>;
}

/** Starts a proxy to `target` in a worker thread, passing every `_msearch` request on `delayMs` after it arrived. */
export async function startSearchProxyThread(target: string, delayMs: number): Promise<SearchProxyThread> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { target, delayMs } });
  let searches = 0;
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { url?: string; search?: true }) => {
      if (message.url) resolve(message.url);
      if (message.search) searches++;
    });
  });
  return { url, searches: () => searches, close: async () => void (await worker.terminate()) };
}

if (!isMainThread && parentPort && (workerData as { target?: string } | undefined)?.target) {
  const { target, delayMs } = workerData as { target: string; delayMs: number };
  const port = parentPort;
  const proxy = await startSearchProxy(target, () => (port.postMessage({ search: true }), false), delayMs);
  port.postMessage({ url: proxy.url });
}
