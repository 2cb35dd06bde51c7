import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { post } from '../../src/http/post.js';
import { startSilentServer } from '../support/silentServer.js';

test("20 requests at once on the run's deadline signal: one abort listener on it, no MaxListenersExceededWarning, and all end with its reason", async () => {
  const silent = await startSilentServer();
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const deadline = new AbortController();
    const pending = Array.from({ length: 20 }, () =>
      post(new URL(`${silent.url}/x`), '{}', { headers: {}, timeoutMs: 60_000, signal: deadline.signal }).then(
        () => 'answered',
        (error: Error) => `${error.name}: ${(error.cause as Error | undefined)?.message}`,
      ),
    );
    while (silent.connections < 20) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(getEventListeners(deadline.signal, 'abort').length, 1, 'one listener on the shared signal, however many requests follow it');
    deadline.abort(new Error('run deadline'));
    assert.deepEqual(new Set(await Promise.all(pending)), new Set(['AbortError: run deadline']));
    // process.emitWarning reports on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
  } finally {
    process.off('warning', onWarning);
    await silent.close();
  }
});
