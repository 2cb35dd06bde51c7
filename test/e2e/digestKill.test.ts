// Digests under SIGKILL: the run that sends a digest is killed at random moments (before its commit, while it
// delivers); the next run sends what is missing. No digest loses a row, and a digest is repeated only when the
// kill came while Slack held its request (at-least-once: the in-flight delivery).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { defaultConfig } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const PERIODS = 6;
const USERS = 4;
const world = useWorld();

test('SIGKILL of the run that sends a digest: the next run sends it with every row, and only an in-flight delivery is repeated', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-kill');
  const project = world.project({ extraConfig: { delivery: { deadline: '20s', attempt_timeout: '5s', retries: 0, concurrency: 2 } } });
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], digest: { every: '2m' }, samples: 0 });
  const env = (at: number) => ({ ALERTCRON_NOW: iso(at), SLACK_WEBHOOK_URL: world.slack.url });
  const inFlight: boolean[] = [];
  for (let p = 0; p < PERIODS; p++) {
    const start = T + p * 10 * MIN;
    await indexDocs(world.esUrl, index, Array.from({ length: USERS }, (_, k) => logonEvent(start - 30_000, `p${p}-u${k}`)));
    const collect = await project.run(['run'], env(start));
    assert.equal(collect.code, 0, collect.stderr);
    assert.equal(world.slack.requests.length, 0, 'nothing is sent while the digest collects');
    world.slack.delayMs = 400;
    const child = project.spawn(['run'], env(start + 2 * MIN));
    const closed = new Promise((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 900)));
    child.kill('SIGKILL');
    await closed;
    inFlight.push(world.slack.requests.length > 0);
    world.slack.delayMs = 0;
    const next = await project.run(['run'], env(start + 3 * MIN));
    assert.equal(next.code, 0, next.stderr);
    const bodies = world.slack.accepted().map((b) => JSON.stringify(b));
    const copies = bodies.filter((b) => b.includes('_digest') || b.includes('findings in the last'));
    assert.ok(copies.length >= 1 && copies.length <= (inFlight[p] ? 2 : 1), `period ${p}: ${copies.length} digest(s) sent (a request was in flight at the kill: ${inFlight[p]})`);
    for (const copy of copies) for (let k = 0; k < USERS; k++) assert.ok(copy.includes(`p${p}-u${k}`), `period ${p}: every row is in the digest`);
    const state = project.state();
    assert.equal(state.alerts.users.digests, undefined, 'the bucket is gone');
    assert.deepEqual(state.pending, []);
    world.slack.requests.length = 0;
  }
  t.diagnostic(`${inFlight.filter(Boolean).length} of ${PERIODS} kills came while Slack held the digest`);
});

test('a digest that is due is sent by a run whose search fails', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-fail');
  const project = world.project();
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], digest: { every: '2m' } });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'mia')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  // The cluster is gone for the next run: its search fails, the digest still goes.
  project.writeConfig({ ...defaultConfig({ esUrl: 'http://127.0.0.1:9', smtpPort: world.smtp.port }), elasticsearch: { url: 'http://127.0.0.1:9', timeout: '2s' } });
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.notEqual(failed.code, 0, 'the search failed');
  assert.match(failed.stderr, /users/);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['users: 1 finding in the last 2 minutes (1 key)']);
});
