// The script sandbox's worker thread: loads a script condition's module and calls its match function,
// answering the main thread with the result or with what went wrong and where. See scriptSandbox.ts.
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { describeThrown, failureOf } from './scriptError.js';
import type { ScriptReply, ScriptRequest } from './scriptSandbox.js';

parentPort!.on('message', (request: ScriptRequest) => {
  void answer(request).then((reply) => {
    try {
      parentPort!.postMessage(reply);
    } catch (error) {
      // The result holds something structured clone cannot copy (a function, a class instance with private state ...).
      const message = `match() returned something that cannot be copied out of the sandbox (${describeThrown(error)}): return plain data`;
      parentPort!.postMessage({ id: request.id, ok: false, failure: { message } } satisfies ScriptReply);
    }
  });
});

async function answer(request: ScriptRequest): Promise<ScriptReply> {
  const { id, modulePath } = request;
  let module: { match?: unknown; default?: unknown };
  try {
    module = (await import(pathToFileURL(modulePath).href)) as typeof module;
  } catch (error) {
    return { id, ok: false, failure: failureOf(error, modulePath) };
  }
  const match = typeof module.match === 'function' ? module.match : module.default;
  if (typeof match !== 'function') {
    const names = Object.keys(module).filter((name) => name !== 'default');
    return { id, ok: false, failure: { message: `must export a function named match (or a default export); it exports: ${names.join(', ') || 'nothing'}` } };
  }
  if (request.kind === 'check') return { id, ok: true };
  try {
    return { id, ok: true, result: await (match as (context: unknown) => unknown)(request.context) };
  } catch (error) {
    return { id, ok: false, failure: failureOf(error, modulePath) };
  }
}
