// A state cluster that accepts a run's commit but answers it slowly (inside elasticsearch.timeout) cannot hold the run
// long past run.deadline: the request gets what is left of the deadline (at least 2 s), the run stops with the state
// error (exit 3) while the cluster still holds the write, and the next run sends each finding once: the commit held
// before sending (nothing sent yet) and the last commit, held after the mails went out (the journal knows them).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startBulkFaultProxy, type BulkFaultProxy } from '../support/bulkFaultProxy.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOLD_MS = 20_000;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** A project whose state is a fresh index of the cluster behind `proxy`, with one alert mailing each new admin logon. */
async function clusterStateProject(proxy: BulkFaultProxy, name: string, settings: { timeout: string; deadline: string }) {
  const index = await world.index(`${name}-state-auth`);
  const shared = `alertcron-state-${name}-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const project = world.project();
  project.writeConfig({
    ...defaultConfig({ esUrl: proxy.url, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    elasticsearch: { url: proxy.url, timeout: settings.timeout },
    run: { deadline: settings.deadline },
    state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s' },
  });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1h' });
  return { project, index };
}

for (const [which, nth] of [['the commit before sending', 1], ['the last commit, after the mails went out', 2]] as const) {
  test(`${which}, held by the cluster longer than the run has left: the run ends soon after run.deadline (exit 3), not elasticsearch.timeout later; the next run sends each finding once`, { timeout: 180_000 }, async () => {
    const proxy = await startBulkFaultProxy(world.esUrl);
    try {
      const T = uniqueBaseTime();
      const { project, index } = await clusterStateProject(proxy, 'slow', { timeout: '60s', deadline: '6s' });
      const first = await project.run(['run'], { ALERTCRON_NOW: iso(T - MIN) });
      assert.equal(first.code, 0, first.stderr);
      await indexDocs(world.esUrl, index, ['ann', 'bob'].map((user) => logonEvent(T - 30_000, user)));
      world.smtp.messages.length = 0;

      // The nth bulk that writes the alert's state is held HOLD_MS before the proxy forwards it.
      let seen = 0;
      let heldAt: number | undefined;
      proxy.holdBulk = (body) => {
        if (heldAt !== undefined || !body.includes('"_id":"alert:') || ++seen < nth) return undefined;
        heldAt = Date.now();
        return HOLD_MS;
      };
      const cut = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
      const endedAt = Date.now();
      proxy.holdBulk = undefined;
      assert.ok(heldAt !== undefined, `the commit was held (exit ${cut.code}: ${cut.stderr})`);
      assert.ok(endedAt < heldAt + HOLD_MS, 'the run ended while the cluster still held its commit');
      assert.equal(cut.code, 3, cut.stderr);
      assert.match(cut.stderr, /state cluster cannot be used/);
      assert.match(cut.stderr, /no answer within what was left of run\.deadline/);
      assert.doesNotMatch(cut.stderr, /internal error/);
      const sentByCut = world.smtp.messages.map((m) => m.subject).sort();
      assert.deepEqual(sentByCut, nth === 1 ? [] : ['Admin ann', 'Admin bob']);

      // Once the held write has reached the cluster and been answered, the next run sends each finding once in all.
      await proxy.idle();
      const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
      assert.equal(next.code, 0, next.stderr);
      const subjects = world.smtp.messages.map((m) => m.subject);
      for (const user of ['ann', 'bob']) assert.equal(subjects.filter((s) => s === `Admin ${user}`).length, 1, JSON.stringify(subjects));
    } finally {
      await proxy.close();
    }
  });
}

test("the hourly prune of old claims refused by the cluster (a 503) is a chore left for later: the run that recorded everything exits 0, not 3", { timeout: 120_000 }, async () => {
  const proxy = await startBulkFaultProxy(world.esUrl);
  try {
    const T = uniqueBaseTime();
    const { project, index } = await clusterStateProject(proxy, 'prune', { timeout: '10s', deadline: '20s' });
    await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
    world.smtp.messages.length = 0;
    // The first run is the coordinator and prunes (never pruned before); the cluster refuses the prune.
    let prunes = 0;
    proxy.cut = (r) => (r.path.includes('/_delete_by_query') ? (prunes++, { status: 503, body: '{"error":{"type":"unavailable","reason":"busy"}}' }) : undefined);
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    proxy.cut = undefined;
    assert.ok(prunes > 0, `the run pruned (exit ${run.code}: ${run.stderr})`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Admin ann']);
    const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Admin ann'], 'recorded: not sent again');
  } finally {
    await proxy.close();
  }
});
