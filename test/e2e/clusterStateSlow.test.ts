// A state cluster that accepts a run's commit but answers it slowly (inside elasticsearch.timeout) cannot keep the run
// past its end (run.deadline + state.max_clock_skew, when its claims expire): the run stops with the state error
// (exit 3) while the cluster still holds the write, and the next run delivers what it found, once.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startBulkFaultProxy } from '../support/bulkFaultProxy.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOLD_MS = 15_000;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

test("a state commit the cluster holds longer than the run has left ends the run at its deadline plus max_clock_skew, not at elasticsearch.timeout; nothing is lost or sent twice", { timeout: 180_000 }, async () => {
  const proxy = await startBulkFaultProxy(world.esUrl);
  try {
    const T = uniqueBaseTime();
    const index = await world.index('slow-state-auth');
    const shared = `alertcron-state-slow-${Math.random().toString(36).slice(2, 8)}`;
    stateIndices.push(shared);
    const project = world.project();
    project.writeConfig({
      ...defaultConfig({ esUrl: proxy.url, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
      elasticsearch: { url: proxy.url, timeout: '30s' },
      run: { deadline: '6s' },
      state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s' },
    });
    project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1h' });
    const first = await project.run(['run'], { ALERTCRON_NOW: iso(T - MIN) });
    assert.equal(first.code, 0, first.stderr);
    await indexDocs(world.esUrl, index, ['ann', 'bob'].map((user) => logonEvent(T - 30_000, user)));
    world.smtp.messages.length = 0;

    // The first commit that writes the alert's state is held HOLD_MS before the proxy forwards it.
    let held: Promise<void> | undefined;
    let heldDone = false;
    proxy.holdBulk = (body) => {
      if (held || !body.includes('"_id":"alert:')) return undefined;
      held = new Promise((resolve) => setTimeout(() => ((heldDone = true), resolve()), HOLD_MS + 200));
      return HOLD_MS;
    };
    const cut = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    proxy.holdBulk = undefined;
    assert.ok(held, `the commit was held (exit ${cut.code}: ${cut.stderr})`);
    assert.equal(heldDone, false, 'the run ended while the cluster still held its commit');
    assert.equal(cut.code, 3, cut.stderr);
    assert.match(cut.stderr, /state cluster cannot be used/);
    assert.match(cut.stderr, /run\.deadline \+ state\.max_clock_skew/);
    assert.doesNotMatch(cut.stderr, /internal error/);

    // Once the held write has landed (or been refused by the fence), the next run sends each finding once.
    await held;
    const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
    assert.equal(next.code, 0, next.stderr);
    const subjects = world.smtp.messages.map((m) => m.subject);
    for (const user of ['ann', 'bob']) assert.equal(subjects.filter((s) => s === `Admin ${user}`).length, 1, JSON.stringify(subjects));
  } finally {
    await proxy.close();
  }
});
