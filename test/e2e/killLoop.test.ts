// Runs killed with SIGKILL at random moments while they deliver: nothing is lost, and what is sent twice is at
// most what was in flight when the kill came (each accepted delivery is journalled as it happens).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const KILLS = 12;
const KEYS = 10;
const world = useWorld();

test('SIGKILL at random moments during delivery: no notice is lost, few are repeated', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-kills');
  const project = world.project({ extraConfig: { delivery: { deadline: '20s', attempt_timeout: '5s', retries: 0, concurrency: 4 } } });
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: '{{key}}', samples: 0 });
  world.slack.delayMs = 60;
  let killed = 0;
  for (let i = 0; i < KILLS; i++) {
    await indexDocs(world.esUrl, index, Array.from({ length: KEYS }, (_, k) => logonEvent(T + i * MIN + 1_000, `run${i}-user${k}`)));
    const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T + (i + 1) * MIN) });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const sent = world.slack.requests.length;
    // Kill while this run delivers: after its first Slack request, at a random moment of the next ~300 ms.
    const started = Date.now();
    while (world.slack.requests.length === sent && Date.now() - started < 10_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
    if (child.exitCode === null && child.kill('SIGKILL')) killed++;
    await closed;
  }
  world.slack.delayMs = 0;
  const final = await project.run(['run'], { ALERTCRON_NOW: iso(T + (KILLS + 2) * MIN) });
  assert.equal(final.code, 0, final.stderr);
  const titles = (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  const expected = Array.from({ length: KILLS }, (_, i) => Array.from({ length: KEYS }, (_, k) => `run${i}-user${k}`)).flat();
  const missing = expected.filter((title) => !titles.includes(title));
  assert.deepEqual(missing, [], 'every notice of every killed run was delivered in the end');
  const repeats = titles.length - new Set(titles).size;
  assert.ok(repeats <= killed * 4, `at most the in-flight deliveries (concurrency 4) are repeated per kill: ${repeats} repeats over ${killed} kills`);
  t.diagnostic(`${killed} kills during delivery, ${expected.length} notices, ${repeats} sent twice (${((100 * repeats) / expected.length).toFixed(1)}%)`);
});
