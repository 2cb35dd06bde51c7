import { Worker } from 'node:worker_threads';
import { formatDuration } from '../util/duration.js';
import { builtFile } from '../util/packageRoot.js';
import { describeThrown, failureOf, ScriptError, type ScriptFailure } from './scriptError.js';

/** What the main thread asks the worker: load a module and check its match export, or also call it. */
export type ScriptRequest = { id: number } & ({ kind: 'check'; modulePath: string } | { kind: 'call'; modulePath: string; context: unknown });

/** The worker's answer to one request. */
export type ScriptReply = { id: number; ok: true; result?: unknown } | { id: number; ok: false; failure: ScriptFailure };

/** Heap a script may use; past it the worker is stopped, not the run. */
const MAX_HEAP_MB = 512;

/**
 * Runs script conditions in a worker thread, one request at a time, each under a time limit: a script that
 * loops, never settles, calls process.exit or runs out of memory ends only the worker, which is started again
 * for the next request. The worker starts on the first request and is reused for the rest of the run.
 */
export class ScriptSandbox {
  private worker?: Worker;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private current?: { worker: Worker; onReply(reply: ScriptReply): void; onError(error: unknown): void; onExit(code: number): void };

  /** Loads the module, calls its match function with `context` and returns what it returned. */
  call(modulePath: string, context: unknown, timeoutMs: number): Promise<unknown> {
    return this.enqueue({ kind: 'call', modulePath, context }, timeoutMs);
  }

  /** Loads the module and checks that it exports a match function (for `validate`). */
  async check(modulePath: string, timeoutMs: number): Promise<void> {
    await this.enqueue({ kind: 'check', modulePath }, timeoutMs);
  }

  /** Stops the worker, if one is running. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private enqueue(request: { kind: 'check'; modulePath: string } | { kind: 'call'; modulePath: string; context: unknown }, timeoutMs: number): Promise<unknown> {
    const task = this.queue.then(() => this.send({ ...request, id: this.nextId++ }, timeoutMs));
    this.queue = task.catch(() => undefined);
    return task;
  }

  private send(request: ScriptRequest, timeoutMs: number): Promise<unknown> {
    const worker = this.start();
    return new Promise((resolve, reject) => {
      let escaped: unknown;
      const settle = (done: () => void) => {
        clearTimeout(timer);
        if (this.current?.worker === worker) this.current = undefined;
        done();
      };
      const timer = setTimeout(() => {
        settle(() => reject(new ScriptError({ message: timeoutMessage(request.kind, timeoutMs) })));
        this.stop(worker);
      }, timeoutMs);
      this.current = {
        worker,
        onReply: (reply) => {
          if (reply.id !== request.id) return;
          settle(() => (reply.ok ? resolve(reply.result) : reject(new ScriptError(reply.failure))));
        },
        onError: (error) => {
          escaped = error;
        },
        onExit: (code) => {
          if (escaped === undefined) {
            settle(() => reject(new ScriptError({ message: `the script called process.exit(${code}): a match function returns its result instead` })));
            return;
          }
          const failure: ScriptFailure = (escaped as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? { message: `used more than ${MAX_HEAP_MB} MB of memory: stopped it` }
            : failureOf(escaped, request.modulePath, `an error escaped ${request.kind === 'call' ? 'match()' : 'the script'}: `);
          settle(() => reject(new ScriptError(failure)));
        },
      };
      try {
        worker.postMessage(request);
      } catch (error) {
        settle(() => reject(new ScriptError({ message: `cannot hand the search response to the script: ${describeThrown(error)}` })));
      }
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(builtFile('rules/scriptWorker.js'), { resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB } });
    worker.on('message', (reply: ScriptReply) => this.forCurrent(worker)?.onReply(reply));
    worker.on('error', (error) => this.forCurrent(worker)?.onError(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.forCurrent(worker)?.onExit(code);
    });
    // An idle worker never keeps the run alive (a request in flight does, through its timer). After the
    // listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private forCurrent(worker: Worker) {
    return this.current?.worker === worker ? this.current : undefined;
  }

  private stop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }
}

function timeoutMessage(kind: ScriptRequest['kind'], timeoutMs: number): string {
  const limit = formatDuration(timeoutMs);
  const what = kind === 'call'
    ? `match() did not return within ${limit} (an endless loop, a promise that never settles or a top-level await that never ends?)`
    : `did not finish loading within ${limit} (a top-level await that never ends?)`;
  return `${what}: stopped it; raise condition.timeout if it needs longer`;
}

let shared: ScriptSandbox | undefined;

/** The run's one sandbox, created on first use (a run without due script alerts never starts a worker). */
export function scriptSandbox(): ScriptSandbox {
  return (shared ??= new ScriptSandbox());
}
