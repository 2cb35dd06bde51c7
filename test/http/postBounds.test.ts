// Every request has a bound: its own timeoutMs, a signal (the run's deadline, msearch's stretchable signal), or both.
// A request with neither does not compile; each bound alone ends a request to a server that never answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, type PostOptions } from '../../src/http/post.js';
import { startSilentServer } from '../support/silentServer.js';

/** Never called: the compiler refuses options with no bound (the @ts-expect-error fails the build if it stops refusing). */
export function unboundedOptionsDoNotCompile(url: URL): void {
  // @ts-expect-error neither timeoutMs nor signal
  const unbounded: PostOptions = { headers: {} };
  void post(url, '{}', unbounded);
}

/** The error's name and its cause's name, as the run reports a request that was ended. */
const ending = (error: Error) => `${error.name}/${(error.cause as Error | undefined)?.name}`;

test('a request bounded only by a signal, to a server that never answers, ends when the signal aborts', async () => {
  const silent = await startSilentServer();
  try {
    const bound = new AbortController();
    const pending = post(new URL(`${silent.url}/_msearch`), '{}\n{}\n', { headers: {}, signal: bound.signal }).then(() => 'answered', ending);
    while (silent.connections < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    // No timer of its own: still waiting well after a connection was made.
    const early = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200))]);
    assert.equal(early, 'still waiting');
    bound.abort(new DOMException('bounded by the caller', 'TimeoutError'));
    assert.equal(await pending, 'AbortError/TimeoutError');
  } finally {
    await silent.close();
  }
});

test('a request bounded only by timeoutMs ends at it with a TimeoutError cause; an aborted signal ends one before it connects', async () => {
  const silent = await startSilentServer();
  try {
    assert.equal(await post(new URL(`${silent.url}/x`), '{}', { headers: {}, timeoutMs: 100 }).then(() => 'answered', ending), 'AbortError/TimeoutError');
    const before = silent.connections;
    const aborted = AbortSignal.abort(new Error('run deadline'));
    assert.equal(await post(new URL(`${silent.url}/x`), '{}', { headers: {}, signal: aborted }).then(() => 'answered', ending), 'AbortError/Error');
    assert.equal(silent.connections, before, 'no connection for a request whose signal had already ended');
  } finally {
    await silent.close();
  }
});
