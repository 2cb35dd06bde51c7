// The answers of an `_msearch` chunk are evaluated as they arrive (src/run/fetchEvaluate.ts): a run cut by its
// deadline after some chunks were answered still fails every alert of the cluster, as before, and moves no window.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const MIN = 60_000;

/** A proxy to the engine that passes on the first `_msearch` request only and never answers the next ones. */
async function firstSearchOnly(target: string): Promise<{ url: string; searches: () => number; close(): void }> {
  let searches = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.includes('_msearch') && ++searches > 1) return;
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, searches: () => searches, close: () => {
      server.closeAllConnections();
      server.close();
    } };
}

test('a run whose deadline cuts the searches after the first chunk was answered fails every alert of the cluster, none moves its window, nothing is sent', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('answers-as-they-come');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN / 2, 'root')]);
  const proxy = await firstSearchOnly(world.esUrl);
  try {
    // One search per request: the first alert's answer arrives (and is evaluated: it matches), the second is held
    // until the deadline. 15 s: start-up on a loaded machine must not eat the deadline before the first chunk.
    const project = world.project({ extraConfig: { elasticsearch: { url: proxy.url, timeout: '5m', msearch_chunk: 1, fuse_alerts: 1 }, run: { deadline: '15s' } } });
    for (const name of ['a-first', 'b-second']) project.writeAlert(name, { index, condition: { type: 'any' }, notify: ['soc-slack'], title: `${name} fired` });
    const sent = world.slack.accepted().length;
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(proxy.searches(), 2, 'the first chunk was answered, the second sent and never answered');
    for (const name of ['a-first', 'b-second']) {
      assert.match(result.stderr, new RegExp(`alert ${name}: the run reached its deadline \\(run\\.deadline\\) before elasticsearch answered; the window will be searched again next run`));
      assert.equal(project.state().alerts[name].window, undefined, `${name}'s window did not move`);
    }
    assert.equal(world.slack.accepted().length, sent, 'the answered alert\'s finding was not notified: its window is searched again');
  } finally {
    proxy.close();
  }
});
