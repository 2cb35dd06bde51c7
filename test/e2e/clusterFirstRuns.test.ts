import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hostDeployments, spawnAt, evaluatedWindows } from '../support/hosts.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

// Two new hosts whose first runs reach a fresh state index at the same moment: one makes the layout move under
// lease:run, the other waits only until the move's marker appears and runs its share (it never exits 5 for it).

const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

test('two hosts\' first runs at once on a fresh state index both run (neither exits 5), and each alert is evaluated once', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const events = await world.index('first-auth');
  await indexDocs(world.esUrl, events, [logonEvent(T - 30_000, 'ann')]);
  const alerts: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < 12; i++) alerts[`first-${i}`] = { index: events, condition: { type: 'any' }, notify: ['soc-email'], title: `first ${i}`, samples: 0 };
  for (let round = 0; round < 2; round++) {
    const index = `alertcron-state-first-${Math.random().toString(36).slice(2, 8)}`;
    stateIndices.push(index);
    const hosts = hostDeployments(world, 2, { index, alerts });
    const results = await Promise.all(hosts.map((host) => spawnAt(host, T, 0).done));
    const seen = new Map<string, number>();
    for (const [i, result] of results.entries()) {
      assert.ok(result.code === 0 || result.code === 4, `host-${i + 1} exited ${result.code}: ${result.stderr}`);
      for (const name of evaluatedWindows(result).keys()) seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    assert.deepEqual([...seen].filter(([, n]) => n > 1), [], 'no alert evaluated by both hosts');
    assert.equal(seen.size, Object.keys(alerts).length, 'every alert evaluated, by one host');
  }
});
