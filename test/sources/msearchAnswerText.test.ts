import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import type { ElasticsearchConfig } from '../../src/sources/elasticsearch/types.js';
import { multiSearch, type SearchOutcome } from '../../src/sources/elasticsearch/msearch.js';

// The _msearch answer is read search by search (util/jsonArrayItems): what a search's own item says stays its own,
// and an answer that is not whole fails the request as before.

const servers: { close(): void }[] = [];
after(() => servers.forEach((s) => s.close()));

/** A stub _msearch answering every request with `text`. */
async function answering(text: string): Promise<string> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    for await (const _ of req);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const config = (url: string): ElasticsearchConfig => ({ url, timeout: 2000, msearch_chunk: 10, fuse_alerts: 100, msearch_concurrency: 1 });
const searches = ['a', 'b', 'c', 'd'].map((index) => ({ index, body: { query: { match_all: {} } } }));
const hit = (msg: string) => ({ took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _id: '1', _index: 'x', _source: { msg } }] }, status: 200 });

test('each search gets its own item, whatever the log text inside another item looks like', async () => {
  const hostile = '"},{"took":1,"responses":[]} ] } \\" \\\\';
  const text = `{"took":7,"responses":[${JSON.stringify(hit(hostile))},{"error":{"type":"x","reason":"no such index"},"status":404},${JSON.stringify(hit('b'))},{"took":1,"timed_out":true}]}`;
  const answer = await multiSearch(config(await answering(text)), searches);
  assert.equal(answer.failure, undefined);
  assert.equal(answer.tookMs, 7);
  const [a, b, c, d] = answer.outcomes;
  assert.ok(a?.ok && c?.ok);
  assert.equal(a.response.hits?.hits?.[0]?._source?.msg, hostile);
  assert.equal(c.response.hits?.hits?.[0]?._source?.msg, 'b');
  assert.ok(b && !b.ok && b.own && /no such index/.test(b.error));
  assert.ok(d && !d.ok && /timed out/.test(d.error));
});

test('an item that is not JSON fails every search of the request and counts as the source\'s failure, as before the answer was read search by search; a missing item is that search\'s error', async () => {
  // A damaged answer could be cut wrongly (one search given another's item): it is not cut, and JSON.parse fails it whole.
  const damagedText = `{"took":1,"responses":[${JSON.stringify(hit('a'))},{"hits":nope},${JSON.stringify(hit('c'))}]}`;
  const damaged = await multiSearch(config(await answering(damagedText)), searches);
  assert.match(damaged.failure ?? '', /not JSON/);
  for (const outcome of damaged.outcomes) assert.ok(outcome && !outcome.ok && /not JSON/.test(outcome.error));
  // The review's case: one byte changed in the first item; search 1 must never get search 2's item.
  const shifted = await multiSearch(config(await answering('{"took":3,"responses":[{"i""0,"m":"ok"},{"i":1,"m":"\\\\\\""},{"i":2,"m":"{["}]}')), searches);
  assert.match(shifted.failure ?? '', /not JSON/);
  for (const outcome of shifted.outcomes) assert.ok(outcome && !outcome.ok && /not JSON/.test(outcome.error));
  const short = await multiSearch(config(await answering(`{"took":1,"responses":[${JSON.stringify(hit('a'))}]}`)), searches);
  assert.ok(short.outcomes[0]?.ok);
  assert.ok(short.outcomes[3] && !short.outcomes[3].ok && /no response for this search/.test(short.outcomes[3].error));
  assert.equal(short.failure, undefined);
});

test('a truncated answer, or one that is not an object of responses, fails every search of the request as not JSON', async () => {
  const whole = `{"took":1,"responses":[${JSON.stringify(hit('a'))},${JSON.stringify(hit('b'))}]}`;
  for (const text of [whole.slice(0, whole.length - 3), whole.slice(0, 40), '<html>busy</html>']) {
    const answer = await multiSearch(config(await answering(text)), searches);
    assert.match(answer.failure ?? '', /not JSON/, text);
    for (const outcome of answer.outcomes) assert.ok(outcome && !outcome.ok && /not JSON/.test(outcome.error));
  }
  // Valid JSON of another form is read as before: no responses, so no answer for any search (`null` too, which
  // once threw a TypeError out of multiSearch).
  for (const text of ['{"took":1}', 'null', '7', '"x"', '[]']) {
    const odd = await multiSearch(config(await answering(text)), searches);
    for (const outcome of odd.outcomes) assert.ok(outcome && !outcome.ok && /no response for this search/.test(outcome.error), text);
  }
  // `responses` that is not a list, or items that are not search responses, are never read as empty answers.
  for (const text of ['{"took":1,"responses":"abcd"}', '{"took":1,"responses":{"0":{"hits":{"hits":[]}}}}']) {
    const odd = await multiSearch(config(await answering(text)), searches);
    for (const outcome of odd.outcomes) assert.ok(outcome && !outcome.ok && /no response for this search/.test(outcome.error), text);
  }
  const items = await multiSearch(config(await answering('{"took":1,"responses":["a",7,[],null]}')), searches);
  assert.deepEqual(
    items.outcomes.map((o) => (o && !o.ok ? o.error : 'ok')),
    ['the _msearch answer for this search is not a search response', 'the _msearch answer for this search is not a search response', 'the _msearch answer for this search is not a search response', 'no response for this search in the _msearch answer'],
  );
});

test('an item that fails to parse when it is read (the cut and JSON.parse disagreeing) is its search\'s error and the source\'s failure', async (t) => {
  const text = `{"took":1,"responses":[${JSON.stringify(hit('a'))},${JSON.stringify(hit('DAMAGED'))},${JSON.stringify(hit('c'))}]}`;
  const parse = JSON.parse;
  // Only the item holding the marker fails: the whole text (which holds it too) is never parsed when it is cut.
  t.mock.method(JSON, 'parse', (value: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (typeof value === 'string' && value.includes('DAMAGED') && !value.includes('"responses"')) throw new SyntaxError('damaged');
    return parse(value, reviver);
  });
  for (const onChunk of [undefined, (_start: number, outcomes: { length: number; at(k: number): unknown }) => {
    for (let k = 0; k < outcomes.length; k++) outcomes.at(k);
  }]) {
    const answer = await multiSearch(config(await answering(text)), searches, undefined, onChunk);
    assert.match(answer.failure ?? '', /not JSON/);
    if (onChunk) continue;
    const [a, b, c] = answer.outcomes;
    assert.ok(a?.ok && c?.ok);
    assert.ok(b && !b.ok && /not JSON/.test(b.error));
  }
});

/** The items of a four-search answer, each marked, and a log of which marked items JSON.parse read, in order. */
function markedItems(t: { mock: { method: (object: typeof JSON, name: 'parse', fn: typeof JSON.parse) => unknown } }) {
  const text = `{"took":1,"responses":[${['item-0', 'item-1', 'item-2', 'item-3'].map((m) => JSON.stringify(hit(m))).join(',')}]}`;
  const parsed: string[] = [];
  const parse = JSON.parse;
  t.mock.method(JSON, 'parse', (value: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    const marker = typeof value === 'string' ? /item-\d/.exec(value) : null;
    if (marker && !value.includes('"responses"')) parsed.push(marker[0]);
    return parse(value, reviver);
  });
  return { text, parsed };
}

test('each item of a lazily read answer is parsed once, when its search is told (none to check for refused searches)', async (t) => {
  const { text, parsed } = markedItems(t);
  let told = 0;
  await multiSearch(config(await answering(text)), searches, undefined, (_start, outcomes) => {
    for (let k = 0; k < outcomes.length; k++) assert.ok(outcomes.at(k)?.ok), told++;
  });
  assert.equal(told, 4);
  assert.deepEqual(parsed, ['item-0', 'item-1', 'item-2', 'item-3']);
});

test('a valid item that cannot be described is that search\'s own error, never called "not JSON", and the other searches are read', async () => {
  // Valid JSON whose shard count is an object that cannot become text (its toString is not a function).
  const text = `{"took":1,"responses":[${JSON.stringify(hit('a'))},{"_shards":{"failed":1,"total":{"toString":1}}},${JSON.stringify(hit('c'))}]}`;
  let told: (SearchOutcome | undefined)[] = [];
  for (const onChunk of [undefined, (start: number, outcomes: { length: number; at(k: number): SearchOutcome | undefined }) => {
    for (let k = 0; k < outcomes.length; k++) told[start + k] = outcomes.at(k);
  }]) {
    told = [];
    const answer = await multiSearch(config(await answering(text)), searches, undefined, onChunk);
    const [a, b, c] = onChunk ? told : answer.outcomes;
    assert.ok(a?.ok && c?.ok);
    assert.ok(b && !b.ok, 'the item is an error');
    assert.doesNotMatch(b.error, /not JSON/);
    assert.match(b.error, /cannot be read/);
    assert.equal(answer.failure, undefined);
  }
});

test('item k+1 of an answer is not parsed before item k is told: each answer is read when its turn comes', async (t) => {
  const { text, parsed } = markedItems(t);
  const seen: string[][] = [];
  await multiSearch(config(await answering(text)), searches, undefined, (_start, outcomes) => {
    for (let k = 0; k < outcomes.length; k++) {
      assert.ok(outcomes.at(k)?.ok);
      // What was parsed when search k's alerts would be evaluated.
      seen.push([...parsed]);
    }
  });
  assert.deepEqual(seen, [['item-0'], ['item-0', 'item-1'], ['item-0', 'item-1', 'item-2'], ['item-0', 'item-1', 'item-2', 'item-3']]);
});
