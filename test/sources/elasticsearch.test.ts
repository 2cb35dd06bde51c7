import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ElasticsearchConfig } from '../../src/sources/elasticsearch/types.js';
import { multiSearch } from '../../src/sources/elasticsearch/msearch.js';
import { makeCertificates } from '../support/tlsCert.js';

interface Seen {
  authorization?: string;
  contentType?: string;
  lines: unknown[];
}

/** A local server answering _msearch the way Elasticsearch does, one canned item per search. */
function msearchHandler(items: unknown[], seen: Seen[], status = 200, body?: unknown) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    seen.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], lines: text.trim().split('\n').map((l) => JSON.parse(l)) });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { took: 1, responses: items }));
  };
}

const ok = { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 2, relation: 'eq' }, hits: [] }, status: 200 };
const servers: { close(): void }[] = [];
after(() => servers.forEach((s) => s.close()));

async function listen(handler: ReturnType<typeof msearchHandler>): Promise<string> {
  const server = createHttpServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const config = (url: string, extra: Partial<ElasticsearchConfig> = {}): ElasticsearchConfig => ({ url, timeout: 2000, msearch_chunk: 100, fuse_alerts: 100, ...extra });
const search = (index: string) => ({ index, body: { query: { match_all: {} } } });

test('each item\'s failure is its own: timed_out, failed shards and item errors are reported per search', async () => {
  const seen: Seen[] = [];
  const items = [
    ok,
    { ...ok, timed_out: true },
    { ...ok, _shards: { total: 3, successful: 2, failed: 1, failures: [{ reason: { type: 'illegal_argument_exception', reason: 'Text fields are not optimised' } }] } },
    { error: { type: 'index_not_found_exception', reason: 'no such index [x]', root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [x]' }] }, status: 404 },
  ];
  const url = await listen(msearchHandler(items, seen));
  const { outcomes, requests } = await multiSearch(config(url, { username: 'elastic', password: 'changeme' }), ['a', 'b', 'c', 'd'].map(search));
  assert.equal(requests, 1);
  assert.equal(outcomes[0]!.ok, true);
  assert.deepEqual(outcomes.slice(1), [
    { ok: false, error: 'search timed out on the cluster; the window will be searched again next run' },
    { ok: false, error: '1 of 3 shards failed (illegal_argument_exception: Text fields are not optimised); the window will be searched again next run', own: true },
    { ok: false, error: 'search failed: index_not_found_exception: no such index [x]', own: true },
  ]);
  assert.equal(seen[0]!.authorization, `Basic ${Buffer.from('elastic:changeme').toString('base64')}`);
  assert.equal(seen[0]!.contentType, 'application/x-ndjson');
  assert.deepEqual(seen[0]!.lines[0], { index: 'a', ignore_unavailable: true, allow_no_indices: true });
});

test('searches are chunked: one request per msearch_chunk searches, with the API key', async () => {
  const seen: Seen[] = [];
  const url = await listen(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const lines = text.trim().split('\n');
    seen.push({ authorization: req.headers.authorization, lines });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ responses: Array.from({ length: lines.length / 2 }, () => ok) }));
  });
  const { outcomes, requests } = await multiSearch(config(url, { api_key: 'a2V5OnNlY3JldA==', msearch_chunk: 3 }), Array.from({ length: 7 }, (_, i) => search(`i${i}`)));
  assert.equal(requests, 3);
  assert.deepEqual(seen.map((s) => s.lines.length / 2), [3, 3, 1]);
  assert.equal(outcomes.length, 7);
  assert.ok(outcomes.every((o) => o?.ok));
  assert.equal(seen[0]!.authorization, 'ApiKey a2V5OnNlY3JldA==');
});

test('a 401 fails every search of the request with the cluster\'s reason, and never prints the password', async () => {
  const url = await listen(msearchHandler([], [], 401, { error: { type: 'security_exception', reason: 'unable to authenticate user [elastic]' }, status: 401 }));
  const { outcomes } = await multiSearch(config(url, { username: 'elastic', password: 'hunter2-secret' }), [search('a'), search('b')]);
  for (const outcome of outcomes) {
    assert.deepEqual(outcome, { ok: false, error: `${url} answered HTTP 401: security_exception: unable to authenticate user [elastic]` });
  }
});

test('a cluster that does not answer in time is a timeout, not a hang', async () => {
  const url = await listen(async () => new Promise<void>(() => undefined));
  const started = Date.now();
  const { outcomes } = await multiSearch(config(url, { timeout: 500 }), [search('a')]);
  assert.deepEqual(outcomes, [{ ok: false, error: `cannot reach ${url}: timed out` }]);
  assert.ok(Date.now() - started < 5000);
});

test('TLS with a custom CA: trusted with ca_file, refused without it', async () => {
  const { ca, key, cert } = makeCertificates();
  const server = createHttpsServer({ key, cert }, msearchHandler([ok], []));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-ca-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca);
    const trusted = await multiSearch(config(url, { ca_file: join(dir, 'ca.pem') }), [search('a')]);
    assert.equal(trusted.outcomes[0]!.ok, true);
    const untrusted = await multiSearch(config(url), [search('a')]);
    assert.match((untrusted.outcomes[0] as { error: string }).error, /^cannot reach https:\/\/127\.0\.0\.1:\d+: .*(SELF_SIGNED|UNABLE_TO_VERIFY|self.signed|local issuer)/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
