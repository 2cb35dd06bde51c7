import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// One channel that hangs never starves the others: each channel gets its fair share of delivery.concurrency.
const MIN = 60_000;
const world = useWorld();

async function twentyKeys(slack: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-fair');
  const users = Array.from({ length: 20 }, (_, i) => `user${String(i).padStart(2, '0')}`);
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - MIN, user)));
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  const channels = base.channels as Record<string, Record<string, unknown>>;
  project.writeConfig({ ...base, channels: { ...channels, 'soc-slack': { ...channels['soc-slack'], ...slack } }, delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1, concurrency: 8 } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: 20, notify: ['soc-slack', 'soc-email'], title: 'Admin {{key}}' });
  return { T, project, users };
}

test('a Slack webhook that never answers holds only its share of the slots: every mail goes in the first run, the Slack notices wait for the next', { timeout: 120_000 }, async () => {
  const { T, project, users } = await twentyKeys();
  world.slack.behaviour = 'hang';
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), users.map((u) => `Admin ${u}`), 'all 20 mails were delivered in the first run');
  const pending = project.state().pending as { channel: string }[];
  assert.equal(pending.length, 20);
  assert.ok(pending.every((p) => p.channel === 'soc-slack'), 'only the Slack notices wait');
  assert.doesNotMatch(first.stderr, /-> soc-email/);

  world.slack.behaviour = 'ok';
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(world.slack.accepted().length, 20, 'the Slack notices went out once Slack answered');
  assert.equal(world.smtp.messages.length, 20, 'no mail was sent again');
});

test("a channel's own concurrency caps its sends in flight: with concurrency 1 a hanging Slack holds one slot", { timeout: 120_000 }, async () => {
  const { T, project } = await twentyKeys({ concurrency: 1 });
  world.slack.behaviour = 'hang';
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.equal(world.smtp.messages.length, 20);
  // One at a time, each attempt cut at 3 s, one retry: at most a few attempts fit in the 10 s deadline.
  assert.ok(world.slack.requests.length <= 4, `${world.slack.requests.length} Slack requests, one at a time`);
});
