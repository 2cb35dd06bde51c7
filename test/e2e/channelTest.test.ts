// alertcron channel test <name>: one clearly marked test notice through a configured channel, its receipt or its
// provider's error; channel list: names, kinds, destinations, secrets set or not.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { checkProperty } from '../support/property.js';
import { useChannelServers } from '../support/channelWorld.js';
import type { Project } from '../support/project.js';
import { startSlackApiServer, type SlackApiServer } from '../support/slackApiServer.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const servers = useChannelServers();
let slackApi: SlackApiServer;
before(async () => {
  slackApi = await startSlackApiServer();
});
after(async () => {
  await slackApi?.close();
});

const NOW = Date.UTC(2026, 11, 6, 21, 0, 0);

/** A project with every kind of channel (pointed at the local servers), a Telegram bot and a Slack app, secrets in its env. */
function channelProject(): Project {
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown>; state?: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', admin_chat_id: '4343', api_url: servers.telegram.base, timeout: '3s', bot: true };
  config.channels['team-app'] = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0ALERTS', api_url: slackApi.apiUrl, timeout: '3s' };
  config.state = { host_id: 'alerts-01' };
  project.writeConfig(config);
  Object.assign(project.env, servers.secrets, { SLACK_BOT_TOKEN: slackApi.token });
  return project;
}

/** Every secret the channels of channelProject use, in the forms a leak would take. */
function secretsOf(project: Project): string[] {
  return [servers.twilio.authToken, servers.telegram.token, slackApi.token, project.env.HOOK_TOKEN!, project.env.HOOK_SECRET!, project.env.SLACK_WEBHOOK_URL!];
}

function assertNoSecret(project: Project, text: string): void {
  for (const secret of secretsOf(project)) assert.ok(!text.includes(secret), `a secret leaked: ${text}`);
}

const MARK = 'This is a test from alertcron on host alerts-01 at 2026-12-06T21:00:00.000Z';

test('channel test sends a marked test notice through each kind of channel and prints what the provider accepted', async () => {
  const project = channelProject();
  const run = (name: string) => project.run(['channel', 'test', name], { ALERTCRON_NOW: iso(NOW) });

  const email = await run('soc-email');
  assert.equal(email.code, 0, email.stderr);
  assert.match(email.stdout, /^channel soc-email \(email\) -> soc@test\.local: test notice sent\n {2}accepted: Message-ID <[^>]+>\n$/);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['alertcron test notice for channel soc-email']);
  // The body as sent, quoted-printable soft line breaks undone.
  const body = world.smtp.messages[0]!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=').replace(/\r?\n/g, ' ');
  assert.ok(body.includes(`${MARK}, sent by "alertcron channel test soc-email". It is not an alert: nothing needs doing.`), body);

  const sms = await run('oncall-sms');
  assert.equal(sms.code, 0, sms.stderr);
  assert.equal(sms.stdout, 'channel oncall-sms (twilio-sms) -> +15551230001: test notice sent\n  accepted for +15551230001: message SID SM1\n');
  assert.match(servers.twilio.messages[0]!.Body!, /alertcron test notice for channel oncall-sms/);

  const call = await run('oncall-call');
  assert.equal(call.code, 0, call.stderr);
  assert.equal(call.stdout, 'channel oncall-call (twilio-call) -> +15551230001: test notice sent\n  accepted for +15551230001: call SID CA1\n');

  const telegram = await run('team-telegram');
  assert.equal(telegram.code, 0, telegram.stderr);
  assert.match(telegram.stdout, /^channel team-telegram \(telegram\) -> chat -1001234567: test notice sent\n {2}accepted for -1001234567: message id \d+\n$/);
  assert.match(servers.telegram.sent[0]!.visible, /^alertcron test notice for channel team-telegram\nThis is a test from alertcron on host alerts-01/);

  const app = await run('team-app');
  assert.equal(app.code, 0, app.stderr);
  assert.match(app.stdout, /^channel team-app \(slack-app\) -> Slack channel C0ALERTS: test notice sent\n {2}accepted for C0ALERTS: message ts \d+\.\d+\n$/);
  assert.equal(slackApi.posted('C0ALERTS').length, 1);

  const slack = await run('soc-slack');
  assert.equal(slack.code, 0, slack.stderr);
  assert.equal(slack.stdout, 'channel soc-slack (slack) -> its Slack incoming webhook: test notice sent\n  accepted (this kind of channel answers with a status only, no message id)\n');
  assert.equal(world.slack.requests.length, 1);

  const hook = await run('hook');
  assert.equal(hook.code, 0, hook.stderr);
  assert.equal(hook.stdout, `channel hook (webhook) -> ${new URL(servers.webhook.base).origin}: test notice sent\n  accepted (this kind of channel answers with a status only, no message id)\n`);
  const posted = JSON.parse(servers.webhook.requests[0]!.body);
  assert.deepEqual([posted.alert, posted.key, posted.reason, posted.title], ['_alertcron', 'channel-test', 'test', 'alertcron test notice for channel hook']);
  assert.equal(servers.webhook.requests[0]!.headers.authorization, `Bearer ${project.env.HOOK_TOKEN}`, 'sent with its secrets');

  for (const result of [email, sms, call, telegram, app, slack, hook]) assertNoSecret(project, result.stdout + result.stderr);
  assert.equal(existsSync(join(project.dir, 'state', 'state.json')), false, 'no state written');
  assert.equal(existsSync(join(project.dir, 'state', 'audit.log')), false, 'no audit line written');
});

test('channel test of a Telegram bot sends to each chat its administrator allowed, and reads the state without writing it', async () => {
  const project = channelProject();
  mkdirSync(join(project.dir, 'state'), { recursive: true });
  const entry = (id: string, title: string, kind: string) => ({ id, title, kind, at: NOW - 1000 });
  const state = {
    version: 1, alerts: {}, pending: [], sent: [], silences: [], sources: {}, cursors: {}, conversations: [],
    chats: { 'team-bot': { allowed: { '-100777': entry('-100777', 'SOC room', 'group'), '5151': entry('5151', 'Alice', 'private') }, requested: {}, banned: {} } },
  };
  const text = JSON.stringify(state);
  writeFileSync(join(project.dir, 'state', 'state.json'), text);
  const result = await project.run(['channel', 'test', 'team-bot'], { ALERTCRON_NOW: iso(NOW) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^channel team-bot \(telegram\) -> chat 5151, chat -100777: test notice sent\n {2}accepted for 5151: message id \d+\n {2}accepted for -100777: message id \d+\n$/);
  assert.deepEqual(servers.telegram.sent.map((m) => String(m.chat_id)).sort(), ['-100777', '5151']);
  assert.ok(servers.telegram.sent.every((m) => m.body.reply_markup === undefined), 'a test notice has no buttons');

  // With no chat allowed yet, the bot has nobody to tell: the error says how to allow one.
  writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify({ ...state, chats: {} }));
  const nobody = await project.run(['channel', 'test', 'team-bot', '--json'], { ALERTCRON_NOW: iso(NOW) });
  assert.equal(nobody.code, 4, nobody.stderr);
  const report = JSON.parse(nobody.stdout);
  assert.deepEqual([report.ok, report.to], [false, []]);
  assert.match(report.error, /^no chat is allowed yet: the administrator allows chats with the buttons the bot sends/);
});

test('channel test prints the provider\'s refusal and exits 4: SMTP 550, Twilio 400, Telegram 403, Slack ok:false; secrets stay out', async () => {
  const project = channelProject();
  const run = (name: string) => project.run(['channel', 'test', name], { ALERTCRON_NOW: iso(NOW) });

  world.smtp.refuseWith = 550;
  const email = await run('soc-email');
  assert.equal(email.code, 4);
  assert.equal(email.stdout, '');
  assert.match(email.stderr, /^channel soc-email \(email\) -> soc@test\.local: the test notice FAILED\n {2}error: .*550/);

  const config = servers.config(world) as { channels: Record<string, Record<string, unknown>> };
  config.channels['oncall-sms']!.to = ['+15005550001', '+15551230001'];
  config.channels['team-app'] = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0ALERTS', api_url: slackApi.apiUrl, timeout: '3s' };
  project.writeConfig(config);
  const sms = await run('oncall-sms');
  assert.equal(sms.code, 4);
  assert.match(sms.stderr, /^channel oncall-sms \(twilio-sms\) -> \+15005550001, \+15551230001: the test notice FAILED\n {2}accepted for \+15551230001: message SID SM\d+\n {2}error: .*21211.*is not a valid phone number/);

  servers.telegram.behaviour = 'blocked';
  const telegram = await run('team-telegram');
  assert.equal(telegram.code, 4);
  assert.match(telegram.stderr, /^channel team-telegram \(telegram\) -> chat -1001234567: the test notice FAILED\n {2}error: .*403.*bot was blocked by the user/);

  slackApi.failing.set('chat.postMessage', 'channel_not_found');
  try {
    const app = await run('team-app');
    assert.equal(app.code, 4);
    assert.match(app.stderr, /^channel team-app \(slack-app\) -> Slack channel C0ALERTS: the test notice FAILED\n {2}error: .*channel_not_found/);
    assertNoSecret(project, app.stdout + app.stderr);
  } finally {
    slackApi.failing.delete('chat.postMessage');
  }
  for (const result of [email, sms, telegram]) assertNoSecret(project, result.stdout + result.stderr);
});

test('channel test of an unknown channel lists the names (exit 64); one whose secret is unset says which (exit 2); channel list shows them all', async () => {
  const project = channelProject();
  const unknown = await project.run(['channel', 'test', 'soc-emial']);
  assert.equal(unknown.code, 64);
  assert.equal(unknown.stderr, 'alertcron: no channel named "soc-emial" in alertcron.yaml (channels: hook, oncall-call, oncall-sms, soc-email, soc-slack, team-app, team-bot, team-telegram)\n');

  delete project.env.TWILIO_AUTH_TOKEN;
  const unset = await project.run(['channel', 'test', 'oncall-sms']);
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /^alertcron: channel oncall-sms: environment variable TWILIO_AUTH_TOKEN is not set.*: nothing was sent\n$/);
  assert.equal(servers.twilio.requests.length, 0);

  const list = await project.run(['channel', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split('\n'), [
    `hook\twebhook\t${new URL(servers.webhook.base).origin}\tsecrets set`,
    'oncall-call\ttwilio-call\t+15551230001\tsecrets missing: environment variable TWILIO_AUTH_TOKEN is not set (export it in the crontab or use a *_file key)',
    'oncall-sms\ttwilio-sms\t+15551230001\tsecrets missing: environment variable TWILIO_AUTH_TOKEN is not set (export it in the crontab or use a *_file key)',
    'soc-email\temail\tsoc@test.local\tsecrets set',
    'soc-slack\tslack\tits Slack incoming webhook\tsecrets set',
    'team-app\tslack-app\tSlack channel C0ALERTS\tsecrets set',
    'team-bot\ttelegram\t(the chats an administrator allows)\tsecrets set',
    'team-telegram\ttelegram\tchat -1001234567\tsecrets set',
  ]);
  assertNoSecret(project, list.stdout + list.stderr);
});

test('channel list shows a webhook whose URL comes from an unset ${VAR} as "(url not set)", and lists the rest', async () => {
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, Record<string, unknown>> };
  config.channels.hook = { ...config.channels.hook, url: '${HOOK_URL}' };
  project.writeConfig(config);
  Object.assign(project.env, servers.secrets);
  delete project.env.HOOK_URL;
  const list = await project.run(['channel', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^hook\twebhook\t\(url not set\)\tsecrets /m);
  assert.match(list.stdout, /^soc-email\temail\tsoc@test\.local\tsecrets set$/m);
});

test('channel test with any name that is no channel: exit 64, one clean line naming it (quoted, cut) and every channel', async () => {
  const project = channelProject();
  const names = 'hook, oncall-call, oncall-sms, soc-email, soc-slack, team-app, team-bot, team-telegram';
  const known = new Set(names.split(', '));
  await checkProperty(
    'channel test of an unknown name',
    // A NUL cannot be in a command-line argument at all (spawn refuses it before alertcron sees it).
    fc.asyncProperty(fc.string({ minLength: 1, maxLength: 120, unit: 'binary' }).filter((name) => !known.has(name) && !name.includes('\u0000')), async (name) => {
      const result = await project.run(['channel', 'test', '--', name]);
      assert.equal(result.code, 64, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^alertcron: no channel named ".*" in alertcron\\.yaml \\(channels: ${names}\\)\n$`, 's'));
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      // No control character, escape sequence or bidi override reaches the terminal.
      assert.doesNotMatch(result.stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      assert.equal(servers.twilio.requests.length + servers.telegram.sent.length + servers.webhook.requests.length + world.smtp.messages.length, 0, 'nothing sent');
    }),
    15,
  );
});
