import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { defaultConfig } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

async function firingProject() {
  const T = uniqueBaseTime();
  const index = await world.index('auth-delivery');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email', 'soc-slack'], title: 'Admin {{key}}' });
  return { T, project };
}

test('permanent failures (Slack 404 no_service, SMTP 550) are reported, audited and not retried forever', async () => {
  const { T, project } = await firingProject();
  world.slack.behaviour = 'no-service';
  world.smtp.refuseWith = 550;
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4);
  assert.equal(world.slack.requests.length, 1, 'a 404 is not retried within the run');
  assert.match(result.stderr, /-> soc-slack: Slack answered HTTP 404 no_service \(not retried\)/);
  assert.match(result.stderr, /-> soc-email: SMTP 127\.0\.0\.1:\d+ refused the recipients: 550 Recipient refused \(not retried\)/);
  assert.deepEqual(project.state().pending, []);
  const dropped = project.audit().filter((e) => e.event === 'delivery_failed');
  assert.deepEqual(dropped.map((e) => [e.channel, e.kept]).sort(), [['soc-email', false], ['soc-slack', false]]);
});

test('an SMTP server that cannot be reached is named with its host and port, and the mail stays pending', async () => {
  const { T, project } = await firingProject();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: 9, slackUrl: world.slack.url });
  project.writeConfig({ ...config, delivery: { deadline: '10s', attempt_timeout: '3s', retries: 0 } });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4);
  assert.equal(result.stderr, 'alert admins key "root" -> soc-email: SMTP 127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9 (will retry next run)\n');
  assert.deepEqual(project.state().pending.map((p: { channel: string; lastError: string }) => [p.channel, p.lastError]), [['soc-email', 'SMTP 127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9']]);
});

test('Slack 429 is retried within the run after its Retry-After', async () => {
  const { T, project } = await firingProject();
  world.slack.behaviour = 'rate-limited';
  const retried = world.slack.nextRequest().then(() => {
    world.slack.behaviour = 'ok';
  });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  await retried;
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(world.slack.requests.map((r) => r.status), [429, 200]);
});

test('a Slack server that hangs is cut off by the attempt timeout; the delivery stays pending', async () => {
  const { T, project } = await firingProject();
  world.slack.behaviour = 'hang';
  const started = Date.now();
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /-> soc-slack: timed out \(will retry next run\)/);
  assert.ok(Date.now() - started < 20_000, 'the run ends within its delivery deadline');
  assert.equal(project.state().pending.length, 1);
});

test('a failed send never leaks the webhook secret into stderr, --json, the state file or the audit log', async () => {
  const { T, project } = await firingProject();
  world.slack.behaviour = 'server-error';
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4);
  const secret = 'XXXXXXXXSECRETTOKEN';
  for (const [what, text] of [['stdout', result.stdout], ['stderr', result.stderr], ['state', JSON.stringify(project.state())], ['audit', JSON.stringify(project.audit())]]) {
    assert.ok(!text!.includes(secret), `${what} does not contain the secret`);
  }
  assert.match(result.stdout, /"channel": "soc-slack"/);
});

test('an unreadable state file is moved aside with a warning, and the run goes on', async () => {
  const { T, project } = await firingProject();
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T - 2 * MIN) });
  assert.equal(first.code, 0, first.stderr);
  writeFileSync(join(project.dir, 'state', 'state.json'), '{"version":1,"alerts":{}}"p1": 3 }}');
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0);
  assert.match(result.stderr, /^warning: state file .*state\.json was unreadable .*; moved it to .*state\.json\.corrupt-\d+ and started afresh$/m);
  assert.ok(readdirSync(join(project.dir, 'state')).some((f) => f.startsWith('state.json.corrupt-')));
  assert.equal(project.state().version, 1);
});
