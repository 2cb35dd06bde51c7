// Checking a folder needs no secrets; a run without one channel's secret fails only that channel.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

async function firingProject() {
  const T = uniqueBaseTime();
  const index = await world.index('auth-secrets');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email', 'soc-slack'], title: 'Admin {{key}}' });
  return { T, project };
}

test('validate, list, status, silence and ack work without the channels\' secrets; validate warns, --strict fails', async () => {
  const { T, project } = await firingProject();
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  delete project.env.SLACK_WEBHOOK_URL;

  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/soc-slack\/webhook_url: warning: environment variable SLACK_WEBHOOK_URL is not set/m);
  assert.equal(validate.stdout, 'OK: 1 alert(s) valid, 0 disabled, 2 channel(s); 1 warning(s) (unset secrets: validate --strict fails on those)\n');

  const strict = await project.run(['validate', '--strict']);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/soc-slack\/webhook_url: environment variable SLACK_WEBHOOK_URL is not set/m);

  const json = await project.run(['validate', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.ok, true);
  assert.deepEqual(report.warnings.map((w: { path: string }) => w.path), ['/channels/soc-slack/webhook_url']);
  assert.match(report.warnings[0].message, /SLACK_WEBHOOK_URL/);

  for (const args of [['list'], ['status'], ['silence', 'list'], ['silence', 'add', 'admins', '--for', '1h', '--comment', 'maintenance'], ['ack', 'admins']]) {
    const result = await project.run(args, { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr, '', `${args.join(' ')} prints no warning`);
  }
  assert.equal(project.state().alerts.admins.keys.root.acknowledged.by.length > 0, true);
});

test('a run without one channel\'s secret delivers to the others and keeps that channel\'s deliveries pending', async () => {
  const { T, project } = await firingProject();
  delete project.env.SLACK_WEBHOOK_URL;
  const started = Date.now();
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4, result.stderr);
  assert.equal(result.stderr, 'alert admins key "root" -> soc-slack: environment variable SLACK_WEBHOOK_URL is not set (export it in the crontab or use a *_file key) (will retry next run)\n');
  assert.ok(Date.now() - started < 5000, 'no retry waits within the run for a missing secret');
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Admin root']);
  assert.deepEqual(project.state().pending.map((p: { channel: string; attempts: number }) => [p.channel, p.attempts]), [['soc-slack', 1]]);

  const later = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN), SLACK_WEBHOOK_URL: world.slack.url });
  assert.equal(later.code, 0, later.stderr);
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['Admin root']);
  assert.equal(world.smtp.messages.length, 1, 'the mail is not sent twice');
  assert.deepEqual(project.state().pending, []);
});

test('a run without the cluster\'s secret stops with the variable\'s name; offline commands still work', async () => {
  const { T, project } = await firingProject();
  project.writeConfig({ ...JSON.parse(JSON.stringify(configOf(project.dir))), elasticsearch: { url: world.esUrl, username: 'alertcron', password: '${ES_PASSWORD}' } });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^alertcron\.yaml:\d+:\d+ \/elasticsearch\/password: environment variable ES_PASSWORD is not set/m);
  assert.equal((await project.run(['list'])).code, 0);
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stderr, /\/elasticsearch\/password: warning: environment variable ES_PASSWORD is not set/);
});

function configOf(dir: string): Record<string, unknown> {
  void dir;
  return {
    channels: {
      'soc-email': { type: 'email', host: '127.0.0.1', port: world.smtp.port, starttls: 'ignore', from: 'alertcron@test.local', to: ['soc@test.local'] },
      'soc-slack': { type: 'slack', webhook_url: '${SLACK_WEBHOOK_URL}' },
    },
  };
}

test('validate reports the alerts\' problems even when alertcron.yaml has its own, and --json says the same for CI', async () => {
  const { project } = await firingProject();
  project.writeAlert('broken', 'index: x\ncondition: { type: count }\nnotify: [soc-email, nowhere]\n');
  writeFileSync(join(project.dir, 'alertcron.yaml'), [
    `elasticsearch: { url: "${world.esUrl}" }`,
    'channels:',
    '  soc-email: { type: email, host: 127.0.0.1, from: a@test.local, to: [b@test.local], timeout: soon }',
    '  soc-slack: { type: slack, webhook_url: "${SLACK_WEBHOOK_URL}" }',
    'defaults: { throtle: 1h }',
  ].join('\n'));
  const result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, [
    'alertcron.yaml:3:95 /channels/soc-email/timeout: must be a duration such as 30s, 5m, 1h30m, 7d',
    'alertcron.yaml:5:13 /defaults/throtle: unknown key "throtle" (did you mean "throttle"?)',
    'alerts/broken.yaml:2:12 /condition: needs at least one of gt, gte, lt, lte',
    'alerts/broken.yaml:3:21 /notify/1: unknown channel "nowhere" (configured: soc-email, soc-slack)',
    '4 problem(s) in 2 file(s); 1 alert(s) valid, 0 disabled, 2 channel(s)',
    '',
  ].join('\n'));
  const json = await project.run(['validate', '--json']);
  assert.equal(json.code, 2);
  const report = JSON.parse(json.stdout);
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems.map((p: { file: string; line: number }) => `${p.file}:${p.line}`), ['alertcron.yaml:3', 'alertcron.yaml:5', 'alerts/broken.yaml:2', 'alerts/broken.yaml:3']);

  writeFileSync(join(project.dir, 'alertcron.yaml'), 'channels: [\n');
  const unparsed = await project.run(['validate']);
  assert.equal(unparsed.code, 2);
  assert.match(unparsed.stderr, /^alertcron\.yaml:\d+:\d+: /m);
  assert.match(unparsed.stderr, /^alerts\/broken\.yaml:2:12 \/condition: needs at least one of gt, gte, lt, lte$/m);
  assert.doesNotMatch(unparsed.stderr, /unknown channel/, 'channels are not judged against a file that did not parse');
});
