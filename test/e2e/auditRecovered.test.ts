// Deliveries made by runs that were then killed are recovered from the journal; the audit log, the record operators
// read, gets their `delivered` lines too: exactly one per delivery, marked as recovered, and not again later.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const KILLS = 4;
const KEYS = 8;
const world = useWorld();

test('SIGKILL right after deliveries: the next run writes the missing delivered lines, once, marked recovered', { timeout: 180_000 }, async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-audit-kills');
  const project = world.project({ extraConfig: { delivery: { deadline: '20s', attempt_timeout: '5s', retries: 0, concurrency: 2 } } });
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: KEYS, notify: ['soc-slack'], title: '{{key}}', samples: 0 });
  world.slack.delayMs = 100;
  let killed = 0;
  for (let i = 0; i < KILLS; i++) {
    await indexDocs(world.esUrl, index, Array.from({ length: KEYS }, (_, k) => logonEvent(T + i * MIN + 1_000, `run${i}-user${k}`)));
    const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T + (i + 1) * MIN) });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const accepted = world.slack.accepted().length;
    // Killed once a few of this run's deliveries were accepted (and journalled), while others are in flight.
    const started = Date.now();
    while (world.slack.accepted().length < accepted + 3 && Date.now() - started < 10_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    if (child.exitCode === null && child.kill('SIGKILL')) killed++;
    await closed;
  }
  world.slack.delayMs = 0;
  const final = await project.run(['run'], { ALERTCRON_NOW: iso(T + (KILLS + 2) * MIN) });
  assert.equal(final.code, 0, final.stderr);
  const again = await project.run(['run'], { ALERTCRON_NOW: iso(T + (KILLS + 3) * MIN) });
  assert.equal(again.code, 0, again.stderr);
  assert.ok(killed >= 2, `runs were killed mid-delivery (${killed})`);

  const sent = new Set((world.slack.accepted() as { text: string }[]).map((p) => p.text));
  const delivered = project.audit().filter((e) => e.event === 'delivered');
  const lines = new Map<string, number>();
  for (const e of delivered) lines.set(e.key, (lines.get(e.key) ?? 0) + 1);
  const expected = Array.from({ length: KILLS }, (_, i) => Array.from({ length: KEYS }, (_, k) => `run${i}-user${k}`)).flat();
  for (const key of expected) {
    assert.ok(sent.has(key), `${key} was delivered`);
    assert.equal(lines.get(key), 1, `${key} has exactly one delivered line: ${JSON.stringify(delivered.filter((e) => e.key === key))}`);
  }
  const recovered = delivered.filter((e) => e.recovered === true);
  assert.ok(recovered.length >= killed, `the killed runs' deliveries are there, marked recovered (${recovered.length})`);
  for (const e of recovered) assert.ok(e.alert === 'users' && e.channel === 'soc-slack' && e.reason === 'first' && typeof e.id === 'string' && !Number.isNaN(Date.parse(e.at)), JSON.stringify(e));
  t.diagnostic(`${killed} kills, ${expected.length} notices, ${recovered.length} delivered lines written from the journal`);
});
