// multiSearch tells each chunk's answers (onChunk) while the next chunk is searched: a tell's error stops the
// fetch, a body that cannot be built fails it (not the process), and a long tell does not time the next request out.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ElasticsearchConfig } from '../../src/sources/elasticsearch/types.js';
import { multiSearch } from '../../src/sources/elasticsearch/msearch.js';
import type { SearchRequest } from '../../src/model/search.js';
import { startMsearchStub, type MsearchStub } from '../support/msearchStub.js';

const stubs: MsearchStub[] = [];
after(() => stubs.forEach((s) => s.close()));
const stub = async (...args: Parameters<typeof startMsearchStub>) => {
  const started = await startMsearchStub(...args);
  stubs.push(started);
  return started;
};
const config = (url: string, timeout = 2000): ElasticsearchConfig => ({ url, timeout, msearch_chunk: 2, fuse_alerts: 100, msearch_concurrency: 1 });
const search = (index: string): SearchRequest => ({ index, body: { query: { match_all: {} } } });
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('an onChunk that throws stops the fetch: no request is sent after the one in flight, no later chunk is told, and its error (not the deadline) is what multiSearch rejects with', async () => {
  const deadline = new AbortController();
  // The run's deadline passes as soon as a third request arrives: one sent after the throw.
  const server = await stub(50, (n) => n >= 3 && deadline.abort());
  let calls = 0;
  await assert.rejects(
    multiSearch(config(server.url), ['a', 'b', 'c', 'd', 'e', 'f'].map(search), deadline.signal, () => {
      calls++;
      throw new Error('evaluation broke');
    }),
    /evaluation broke/,
  );
  // The first chunk's tell threw while the second chunk's request was in flight; the third was never sent.
  assert.equal(server.requests(), 2);
  assert.equal(calls, 1);
  assert.equal(deadline.signal.aborted, false);
});

test('a chunk\'s body that cannot be built (built while the previous chunk is searched) fails the multiSearch, not the process', async () => {
  const server = await stub();
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.prependListener('uncaughtException', onUncaught);
  try {
    const huge: SearchRequest = {
      index: 'c',
      get body(): Record<string, unknown> {
        throw new RangeError('Invalid string length');
      },
    };
    await assert.rejects(multiSearch(config(server.url), [search('a'), search('b'), huge], undefined, () => {}), /Invalid string length/);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.removeListener('uncaughtException', onUncaught);
  }
  assert.deepEqual(uncaught, []);
  assert.equal(server.requests(), 1);
});

test('the time spent telling a chunk does not count against the timeout of the request in flight meanwhile: an answer in time is read, not aborted as timed out', async () => {
  const server = await stub();
  const TIMEOUT = 300;
  const ok: boolean[] = [];
  const answer = await multiSearch(config(server.url, TIMEOUT), ['a', 'b', 'c', 'd'].map(search), undefined, (start, outcomes) => {
    ok.push(...Array.from({ length: outcomes.length }, (_, k) => outcomes.at(k)!.ok));
    // An evaluation of the first chunk longer than the timeout, while the second chunk's request is in flight.
    if (start === 0) busy(3 * TIMEOUT);
  });
  assert.equal(answer.failure, undefined);
  assert.deepEqual(ok, [true, true, true, true]);
});
