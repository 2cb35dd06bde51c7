// A source's fetch time (alertcron_source_fetch_duration_seconds, report.sourceElapsedMs) leaves out the evaluation
// done in settle only while none of its requests is in flight: told as the next _msearch chunk is searched, it is not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProject } from '../../src/config/loadProject.js';
import { fetchStage } from '../../src/run/fetch.js';
import { ElasticsearchSource } from '../../src/sources/elasticsearch/source.js';
import type { ElasticsearchConfig, SearchAlertDef } from '../../src/sources/elasticsearch/types.js';
import { startSearchProxyThread } from '../support/searchProxyThread.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const world = useWorld();
const MIN = 60_000;

test('a multi-chunk fetch against a slow cluster reports at least the time waited for its chunks, however long their evaluation (told while the next chunk is searched)', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('fetch-overlap');
  const DELAY = 300;
  const CHUNKS = 5;
  // In a worker thread: its delays pass while this thread evaluates (an in-process proxy would wait for it).
  const proxy = await startSearchProxyThread(world.esUrl, DELAY);
  try {
    const project = world.project({ extraConfig: { elasticsearch: { url: proxy.url, msearch_chunk: 1, fuse_alerts: 1 } } });
    const names = Array.from({ length: CHUNKS }, (_, i) => `plain-${i}`);
    for (const name of names) project.writeAlert(name, { index, condition: { type: 'any' }, notify: ['soc-slack'], title: name });
    const { config, loaded } = await loadProject(join(project.dir, 'alertcron.yaml'), process.env, { offline: true });
    const alerts = names.map((name) => loaded.alerts.find((a) => a.name === name) as unknown as SearchAlertDef);
    assert.equal(alerts.filter(Boolean).length, CHUNKS, JSON.stringify(loaded.problems));
    const source = new ElasticsearchSource(config.sources.elasticsearch as ElasticsearchConfig);
    let told = 0;
    const result = await fetchStage(
      alerts.map((alert) => ({ alert, window: { from: T - MIN, to: T } })),
      new Map([[source.name, source]]),
      T,
      new AbortController().signal,
      undefined,
      () => {
        told++;
        // An evaluation as long as a chunk's wait (left out of the fetch's time, it would hide most of it).
        const until = performance.now() + DELAY;
        while (performance.now() < until);
      },
    );
    assert.equal(told, CHUNKS);
    assert.equal(proxy.searches(), CHUNKS);
    // The chunks were searched one after the other, each waiting DELAY in the proxy at least.
    const elapsed = result.elapsedMs[source.name]!;
    assert.ok(elapsed >= CHUNKS * DELAY, `elapsedMs ${elapsed} < ${CHUNKS * DELAY}`);
  } finally {
    await proxy.close();
  }
});
