import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import type { ElasticsearchConfig } from '../../src/sources/elasticsearch/types.js';
import { multiSearch, type SearchOutcome } from '../../src/sources/elasticsearch/msearch.js';

const ok = { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 0, relation: 'eq' }, hits: [] }, status: 200 };
const servers: { close(): void }[] = [];
after(() => servers.forEach((s) => s.close()));

/** A stub _msearch: a request naming index `refuse` is refused (HTTP 400 parse error), one naming `down` gets HTTP 503. */
async function listen(): Promise<string> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { index?: string });
    const headers = lines.filter((_, i) => i % 2 === 0);
    res.writeHead(headers.some((h) => h.index === 'refuse') ? 400 : headers.some((h) => h.index === 'down') ? 503 : 200, { 'content-type': 'application/json' });
    if (headers.some((h) => h.index === 'refuse')) res.end(JSON.stringify({ error: { type: 'parsing_exception', reason: 'unknown query' } }));
    else if (headers.some((h) => h.index === 'down')) res.end(JSON.stringify({ error: { type: 'unavailable', reason: 'busy' } }));
    else res.end(JSON.stringify({ took: 1, responses: headers.map(() => ok) }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const config = (url: string): ElasticsearchConfig => ({ url, timeout: 2000, msearch_chunk: 2, fuse_alerts: 100, msearch_concurrency: 1 });
const search = (index: string) => ({ index, body: { query: { match_all: {} } } });

test('answers told to onChunk are not kept: the outcomes returned have holes where they were', async () => {
  const url = await listen();
  const told: SearchOutcome[] = [];
  const answer = await multiSearch(config(url), ['a', 'b', 'c'].map(search), undefined, (start, outcomes) => Array.from({ length: outcomes.length }, (_, k) => outcomes.at(k)!).forEach((o, k) => (told[start + k] = o)));
  assert.equal(told.length, 3);
  assert.ok(told.every((o) => o.ok));
  assert.equal(answer.outcomes.length, 3);
  assert.equal(answer.outcomes.filter((o) => o !== undefined).length, 0);
  // Without onChunk, every outcome is returned.
  const kept = await multiSearch(config(url), ['a', 'b', 'c'].map(search));
  assert.ok(kept.outcomes.every((o) => o?.ok));
});

test('a chunk refused whole does not hide a later chunk\'s HTTP error: the failure of the request itself is reported', async () => {
  const url = await listen();
  const answer = await multiSearch(config(url), ['refuse', 'refuse', 'down', 'down'].map(search));
  assert.match(answer.failure ?? '', /answered HTTP 503/);
  assert.ok(answer.outcomes.slice(0, 2).every((o) => !o?.ok && o?.own));
  // Alone, the refusal is the failure, as before.
  const alone = await multiSearch(config(url), ['refuse', 'refuse'].map(search));
  assert.match(alone.failure ?? '', /refused every search of the request/);
});

test('a chunk\'s answers are told once the next chunk\'s request is sent (reading them overlaps the cluster\'s time on it), every chunk before multiSearch returns, in order', async () => {
  const url = await listen();
  // Requests started by node's http client, as each chunk's answers are told.
  let started = 0;
  const onStart = () => started++;
  subscribe('http.client.request.start', onStart);
  try {
    const told: { start: number; requestsStarted: number; ok: boolean[] }[] = [];
    const answer = await multiSearch(config(url), ['a', 'b', 'c', 'd', 'e'].map(search), undefined, (start, outcomes) => told.push({ start, requestsStarted: started, ok: Array.from({ length: outcomes.length }, (_, k) => outcomes.at(k)!.ok) }));
    // Chunks of 2: [a, b], [c, d], [e]; the first two are told after the next chunk's request started, the last after its own.
    assert.deepEqual(told, [
      { start: 0, requestsStarted: 2, ok: [true, true] },
      { start: 2, requestsStarted: 3, ok: [true, true] },
      { start: 4, requestsStarted: 3, ok: [true] },
    ]);
    assert.equal(answer.requests, 3);
  } finally {
    unsubscribe('http.client.request.start', onStart);
  }
});
