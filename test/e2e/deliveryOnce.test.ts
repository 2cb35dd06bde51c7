import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** A project whose alert finds `keys` users in one run, each notified on the given channels. */
async function manyKeys(keys: number, notify: string[], config: { delivery: Record<string, unknown>; to?: string[] }) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-once');
  const users = Array.from({ length: keys }, (_, i) => `user${String(i).padStart(2, '0')}`);
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - MIN, user)));
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  const channels = base.channels as Record<string, Record<string, unknown>>;
  if (config.to) channels['soc-email']!.to = config.to;
  project.writeConfig({ ...base, delivery: config.delivery });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: keys, notify, title: 'Admin {{key}}' });
  return { T, project, users };
}

const subjects = () => world.smtp.messages.map((m) => m.subject).sort();

test('a hanging Slack neither crashes the run nor repeats mails: nothing is started after the deadline, each mail goes once', { timeout: 120_000 }, async () => {
  // Two at a time, one per channel (each channel's fair share), each Slack attempt hangs for 2 s and each mail takes
  // 1 s: the sixth key's Slack and mail cannot start before the 3 s deadline.
  const { T, project, users } = await manyKeys(6, ['soc-slack', 'soc-email'], { delivery: { deadline: '3s', attempt_timeout: '2s', retries: 0, concurrency: 2 } });
  world.slack.behaviour = 'hang';
  world.smtp.acceptDelayMs = 1000;
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.doesNotMatch(first.stderr, /internal error|Connection pool|Warning/);
  assert.match(first.stderr, /^alert admins key "user05" -> soc-email: not sent: the run reached its delivery deadline \(will retry next run\)$/m);
  const pendingMails = project.state().pending.filter((p: { channel: string }) => p.channel === 'soc-email').map((p: { key: string }) => `Admin ${p.key}`);
  const sentFirst = subjects();
  assert.ok(sentFirst.length > 0 && pendingMails.length > 0, `some mails went before the deadline, some wait: ${sentFirst.length} sent, ${pendingMails.length} pending`);
  assert.deepEqual([...sentFirst, ...pendingMails].sort(), users.map((u) => `Admin ${u}`), 'each mail is either accepted and recorded, or pending: never both');

  world.slack.behaviour = 'ok';
  world.smtp.acceptDelayMs = undefined;
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(subjects(), users.map((u) => `Admin ${u}`), 'every mail exactly once over both runs');
  assert.equal(world.slack.accepted().length, 6);
});

test('a slow SMTP server: the attempt is timed from when the mail gets a connection, so no accepted mail is sent twice', { timeout: 120_000 }, async () => {
  const { T, project, users } = await manyKeys(8, ['soc-email'], { delivery: { deadline: '40s', attempt_timeout: '3s', retries: 1, concurrency: 8 } });
  world.smtp.acceptDelayMs = 1500;
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(subjects(), users.map((u) => `Admin ${u}`), 'eight mails, each once, none counted failed');
  assert.deepEqual(project.state().pending, []);
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(world.smtp.messages.length, 8, 'the next run sends nothing again');
});

test('recipients the SMTP server refuses are not counted delivered: a 4xx one stays pending alone, a 5xx one is dropped', { timeout: 60_000 }, async () => {
  const to = ['a@test.local', 'b@test.local', 'c@test.local'];
  const { T, project } = await manyKeys(1, ['soc-email'], { delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 }, to });
  world.smtp.refuseRecipients = { 'b@test.local': 450, 'c@test.local': 550 };
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.match(first.stderr, /-> soc-email: SMTP 127\.0\.0\.1:\d+ refused 2 of 3 recipients: b@test\.local 450 \(kept for the next run\), c@test\.local 550 \(dropped\) \(will retry next run\)$/m);
  assert.deepEqual(world.smtp.messages.map((m) => m.to), [['a@test.local']]);
  assert.deepEqual(project.state().pending.map((p: { to?: string[] }) => p.to), [['b@test.local']]);

  world.smtp.refuseRecipients = undefined;
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.to), [['a@test.local'], ['b@test.local']], 'b gets it once, a is not sent it again, c never');
  const sent = project.state().sent as { channel: string; receipt: { id?: string } }[];
  assert.deepEqual(sent.map((s) => s.channel), ['soc-email'], 'one record of the mail, once every recipient that can have it has it');
  assert.match(sent[0]!.receipt.id ?? '', /^<.+@.+>$/);
});

test('a Retry-After longer than the in-run retry cap keeps the delivery pending until then: no earlier attempt', { timeout: 60_000 }, async () => {
  const { T, project } = await manyKeys(1, ['soc-slack'], { delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 } });
  world.slack.behaviour = 'rate-limited';
  world.slack.retryAfter = '120';
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.equal(world.slack.requests.length, 1, 'not retried within the run');
  assert.equal(project.state().pending[0].notBefore, T + 120_000);

  world.slack.behaviour = 'ok';
  const early = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(early.code, 4, 'still pending');
  assert.equal(world.slack.requests.length, 1, 'a run before the Retry-After time does not try');
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.match(status.stdout, /-> soc-slack since .*, 1 attempt\(s\), next attempt after .*: Slack answered HTTP 429 rate_limited/);

  const due = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN + 1000) });
  assert.equal(due.code, 0, due.stderr);
  assert.equal(world.slack.accepted().length, 1);
});

test('many deliveries retried in one run print no MaxListenersExceededWarning or other noise on stderr', { timeout: 60_000 }, async () => {
  const { T, project } = await manyKeys(15, ['soc-slack'], { delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1, concurrency: 15 } });
  world.slack.behaviour = 'server-error';
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4);
  assert.equal(world.slack.requests.length, 30, 'each of the 15 tried twice');
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 15, result.stderr);
  for (const line of lines) assert.match(line, /^alert admins key "user\d\d" -> soc-slack: Slack answered HTTP 500 rollup_error \(will retry next run\)$/);
});

test('a slow SMTP server at the delivery deadline: a mail already in the server\'s hands is waited for, not abandoned and sent again next run', { timeout: 120_000 }, async () => {
  // Two connections, 1.5 s a mail, a 4 s deadline: mails are in the middle of DATA when it comes.
  const { T, project, users } = await manyKeys(8, ['soc-email'], { delivery: { deadline: '4s', attempt_timeout: '3s', retries: 0, concurrency: 8 } });
  world.smtp.acceptDelayMs = 1500;
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  const pending = project.state().pending.map((p: { key: string }) => `Admin ${p.key}`);
  assert.ok(pending.length > 0, 'the deadline left some mails for the next run');
  // The next run comes a minute later: by then the server has answered every mail it was given.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  world.smtp.acceptDelayMs = undefined;
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(subjects(), users.map((u) => `Admin ${u}`), 'every mail exactly once over both runs');
});

test('a mail some recipients accepted and the others refused for good (5xx) is kept as sent for them, and the refusal reported', { timeout: 60_000 }, async () => {
  const to = ['a@test.local', 'c@test.local'];
  const { T, project } = await manyKeys(1, ['soc-email'], { delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 }, to });
  world.smtp.refuseRecipients = { 'c@test.local': 550 };
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.match(first.stderr, /refused 1 of 2 recipients: c@test\.local 550 \(dropped\) \(not retried\)$/m);
  assert.deepEqual(project.state().pending, []);
  const sent = project.state().sent as { channel: string; receipt: { id?: string } }[];
  assert.deepEqual(sent.map((s) => s.channel), ['soc-email'], 'the mail a@ got is recorded as sent');
  assert.match(sent[0]!.receipt.id ?? '', /^<.+@.+>$/, 'with the Message-ID it went out with');
});
