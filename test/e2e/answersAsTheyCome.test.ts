// The answers of an `_msearch` chunk are evaluated as they arrive (src/run/fetchEvaluate.ts): a run cut by its
// deadline after some chunks were answered still fails every alert of the cluster, as before, and moves no window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSearchProxy } from '../support/searchProxy.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const MIN = 60_000;

test('a run whose deadline cuts the searches after the first chunk was answered fails every alert of the cluster, none moves its window, nothing is sent', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('answers-as-they-come');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN / 2, 'root')]);
  const proxy = await startSearchProxy(world.esUrl, (n) => n > 1);
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
