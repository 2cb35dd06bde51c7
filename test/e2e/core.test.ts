import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { REPO_ROOT } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** A project with one admin-logon alert over a fresh index, like the bundled example. */
async function adminProject(extraAlert: Record<string, unknown> = {}) {
  const index = await world.index('winlogbeat-core');
  const project = world.project();
  project.writeQuery('admin-logins.json', JSON.parse(readFileSync(join(REPO_ROOT, 'queries', 'admin-logins.json'), 'utf8')));
  project.writeAlert('admin-logins', {
    index,
    query: 'admin-logins.json',
    condition: { type: 'count', gte: 1 },
    group_by: 'winlog.event_data.TargetUserName',
    throttle: '30m',
    notify: ['soc-email', 'soc-slack'],
    title: 'Admin logon: {{key}}',
    message: '{{count}} logons to {{key}} from {{source.ip}} on {{host.name}}',
    ...extraAlert,
  });
  return { index, project };
}

test('an alert fires once, is then throttled, a second key fires on its own, and repeats after the throttle', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - 2 * MIN, 'Administrator'), logonEvent(T - MIN, 'Administrator'), logonEvent(T - MIN, 'alice')]);

  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout + first.stderr, '', 'quiet on success');
  assert.equal(world.smtp.messages.length, 1);
  assert.deepEqual(world.smtp.messages[0]!.to, ['soc@test.local']);
  assert.equal(world.smtp.messages[0]!.subject, 'Admin logon: Administrator');
  assert.match(world.smtp.messages[0]!.raw, /2 logons to Administrator from 10\.0\.0\.5 on dc01/);
  assert.equal(world.slack.accepted().length, 1);

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'Administrator')]);
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(world.smtp.messages.length, 1, 'throttled: no second email');
  assert.equal(world.slack.accepted().length, 1, 'throttled: no second Slack message');
  assert.ok(project.audit().some((e) => e.event === 'decision' && e.key === 'Administrator' && e.reason === 'throttled'));

  await indexDocs(world.esUrl, index, [logonEvent(T + 90_000, 'root')]);
  const third = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Admin logon: Administrator', 'Admin logon: root']);

  await indexDocs(world.esUrl, index, [logonEvent(T + 31 * MIN, 'Administrator')]);
  const fourth = await project.run(['run'], { ALERTCRON_NOW: iso(T + 32 * MIN) });
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).slice(2), ['Admin logon: Administrator'], 'repeats once the throttle has passed');
  const state = project.state();
  assert.equal(state.alerts['admin-logins'].keys.Administrator.fired, 2);
  assert.equal(state.pending.length, 0);
});

test('a failed Slack delivery stays pending and is retried next run, while the email is not repeated', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  world.slack.behaviour = 'server-error';

  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(failed.code, 4, 'exit code: deliveries pending');
  assert.match(failed.stderr, /^alert admin-logins key "root" -> soc-slack: Slack answered HTTP 500 rollup_error \(will retry next run\)$/m);
  assert.equal(world.slack.requests.length, 2, 'one attempt plus one short retry');
  assert.equal(world.smtp.messages.length, 1);
  const pending = project.state().pending;
  assert.deepEqual(pending.map((p: { channel: string }) => p.channel), ['soc-slack']);
  assert.ok(!JSON.stringify(project.state()).includes('SECRETTOKEN'), 'the webhook URL is not in the state');
  assert.ok(!failed.stderr.includes('SECRETTOKEN'), 'the webhook URL is not in the errors');

  world.slack.behaviour = 'ok';
  const retried = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal(world.slack.accepted().length, 1);
  assert.match(JSON.stringify(world.slack.accepted()[0]), /Admin logon: root/);
  assert.equal(world.smtp.messages.length, 1, 'the email is not sent again');
  assert.equal(project.state().pending.length, 0);
  assert.ok(project.audit().some((e) => e.event === 'delivered' && e.channel === 'soc-slack'));
});

test('several concurrent runs send each notification exactly once', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator'), logonEvent(T - MIN, 'root')]);
  const results = await Promise.all(Array.from({ length: 5 }, () => project.run(['run'], { ALERTCRON_NOW: iso(T) })));
  for (const r of results) assert.ok(r.code === 0 || r.code === 5, `exit ${r.code}: ${r.stderr}`);
  assert.equal(world.smtp.messages.length, 2);
  assert.equal(world.slack.accepted().length, 2);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['Admin logon: Administrator', 'Admin logon: root']);
});

test('kill -9 during delivery leaves a readable state file, and the next run delivers what was pending', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'domain-admin')]);
  world.slack.behaviour = 'hang';
  const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  await world.slack.nextRequest();
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));

  const state = project.state();
  assert.ok(state, 'the state file exists and is valid JSON');
  assert.ok(state.pending.some((p: { channel: string }) => p.channel === 'soc-slack'), 'the Slack delivery was recorded as pending before sending');

  world.slack.behaviour = 'ok';
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.accepted().length, 1, 'delivered by the next run, which took over the dead run\'s lock');
  assert.ok(world.smtp.messages.length >= 1, 'at least once: the email may repeat after a crash, never be lost');
  assert.equal(project.state().pending.length, 0);
});

test('an alert with a typo is reported with its line while the other alerts still run', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject();
  project.writeAlert('typo', `index: ${index}\ncondition: { type: any }\nnotfy: [soc-email]\n`);
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'admin')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, [
    'alerts/typo.yaml:1:1: missing required key "notify"',
    'alerts/typo.yaml:3:1 /notfy: unknown key "notfy" (did you mean "notify"?)',
    '',
  ].join('\n'));
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Admin logon: admin'], 'the valid alert still ran');
});

test('hostile log fields reach Slack and email inert', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject({
    query: { query: { match_all: {} } },
    group_by: 'host.name',
    title: 'Logon on {{key}}',
    message: 'user {{winlog.event_data.TargetUserName}} on {{key}}',
  });
  const hostile = '<!channel> <https://evil.example|click> <@U024BE7LH> <!subteam^S1>\r\nBcc: evil@evil.example';
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, '<!everyone>', { host: hostile })]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);

  const [payload] = world.slack.accepted() as { text: string; blocks: { text: { type: string; text: string } }[] }[];
  assert.ok(payload);
  assert.doesNotMatch(payload.text, /[<>]/, 'no raw angle brackets in the parsed fallback text');
  assert.match(payload.text, /&lt;!channel&gt; &lt;https:\/\/evil\.example\|click&gt;/);
  assert.ok(payload.blocks.every((b) => b.text.type === 'plain_text'), 'the body is plain_text: no mrkdwn, mentions or links');
  assert.equal((payload as unknown as { unfurl_links: boolean }).unfurl_links, false);

  const [mail] = world.smtp.messages;
  assert.ok(mail);
  assert.deepEqual(mail.to, ['soc@test.local'], 'log text never adds a recipient');
  const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
  assert.doesNotMatch(headers, /^Bcc:/im, 'log text never becomes a header');
  assert.equal(headers.split('\r\n').filter((line) => /^Subject:/.test(line)).length, 1);
});

test('events that arrive while cron was stopped are alerted on after it restarts', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await adminProject({ throttle: '0s' });
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(world.smtp.messages.length, 0);
  // cron is stopped for 30 minutes; events keep arriving
  await indexDocs(world.esUrl, index, [logonEvent(T + 5 * MIN, 'root'), logonEvent(T + 20 * MIN, 'Administrator'), logonEvent(T, 'admin')]);
  const after = await project.run(['run'], { ALERTCRON_NOW: iso(T + 30 * MIN) });
  assert.equal(after.code, 0, after.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['Admin logon: Administrator', 'Admin logon: admin', 'Admin logon: root']);
  assert.deepEqual(project.state().alerts['admin-logins'].window, { from: T, to: T + 30 * MIN }, 'the window resumed exactly where it ended');
  const again = await project.run(['run'], { ALERTCRON_NOW: iso(T + 31 * MIN) });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(world.smtp.messages.length, 3, 'no overlap: the next window does not see the same events again');
});
