import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { fc, checkProperty } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startSlackApiServer, type SlackApiServer } from '../support/slackApiServer.js';
import type { FakeChat } from '../support/telegramServer.js';
import { iso, useWorld } from '../support/world.js';

// Issue 22 point 2: no duration from configuration, the command line or chat can stop a run.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
let slack: SlackApiServer;
before(async () => {
  slack = await startSlackApiServer();
});
after(async () => {
  await slack?.close();
});
beforeEach(() => servers.telegram.clearQueue());

const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
let nextChat = 1;

/** A project whose alert fires on a new user each time `logon` is called, notifying the given channels. */
async function durationProject(channels: Record<string, unknown>, notify: string[], alert: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-durations');
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  Object.assign(config.channels, channels);
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets, { SLACK_BOT_TOKEN: slack.token });
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify, throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0, ...alert });
  const logon = (minutes: number, user: string) => indexDocs(world.esUrl, index, [logonEvent(T + minutes * MIN, user, { host: 'dc07', ip: '10.9.8.7' })]);
  const run = (minutes: number, args: string[] = []) => p.run(['run', ...args], { ALERTCRON_NOW: iso(T + minutes * MIN) });
  return { T, p, index, logon, run };
}

/** A project whose alert told `root` to a Telegram bot group where Alice may act: the notice she answers. */
async function botProject() {
  const group: FakeChat = { id: -1_009_100_000 - nextChat++, type: 'supergroup', title: 'SOC' };
  const bot = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: servers.telegram.base, timeout: '3s', bot: true, allowed_users: [ALICE.id] };
  const project = await durationProject({ 'team-bot': bot }, ['team-bot']);
  await project.logon(-1, 'root');
  assert.equal((await project.run(0)).code, 0);
  const [notice] = servers.telegram.inChat(group.id);
  return { ...project, group, notice };
}

test('/silence <ref> 99999999w from an allowed Telegram user is refused in the chat; every later run searches and sends', async () => {
  const { group, p, logon, run, notice } = await botProject();
  const ref = notice!.reply_markup!.inline_keyboard[0]![0]!.callback_data!.split(':')[0]!;
  servers.telegram.say(ALICE, group, `/silence ${ref} 99999999w`);
  servers.telegram.say(ALICE, group, 'silence 99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999d', notice);
  const first = await run(1);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(p.state().silences.length, 0, 'no silence past the maximum');
  const answers = servers.telegram.sent.map((m) => m.visible).filter((t) => t.startsWith('✖'));
  assert.equal(answers.length, 2, answers.join('\n'));
  for (const text of answers) assert.match(text, /at most 365d/, 'the chat is told the maximum');
  // The next runs search and send normally.
  for (const [minutes, user] of [[3, 'alice'], [5, 'bob']] as const) {
    await logon(minutes - 0.5, user);
    const next = await run(minutes);
    assert.equal(next.code, 0, next.stderr);
    assert.ok(servers.telegram.inChat(group.id).some((m) => m.text.includes(`Admin logon: ${user}`)), `${user}'s logon was sent`);
  }
});

test('a Slack thread reply "silence 99999999w" is refused in the thread; the next runs search and send', async () => {
  const channel = `C0DUR${nextChat++}`;
  slack.channels.set(channel, []);
  const app = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel, api_url: slack.apiUrl, allowed_users: ['U0ALICE'], timeout: '3s' };
  const { p, logon, run } = await durationProject({ 'ops-slack': app }, ['ops-slack']);
  await logon(-1, 'root');
  assert.equal((await run(0)).code, 0);
  const [notice] = slack.posted(channel);
  slack.reply(channel, notice!.ts, 'U0ALICE', 'silence 99999999w');
  const first = await run(1);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(p.state().silences.length, 0);
  const refusals = notice!.replies.filter((r) => r.user === slack.botUser && r.text.startsWith('✖'));
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]!.text, /at most 365d/);
  await logon(2.5, 'alice');
  const next = await run(3);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(slack.posted(channel).some((m) => JSON.stringify(m.blocks).includes('Admin logon: alice')), 'the next finding was sent');
});

test('silence add --for 99999999w is a usage error naming the maximum; runs go on', async () => {
  const { p, logon, run } = await durationProject({}, ['soc-email']);
  const added = await p.run(['silence', 'add', 'admins', '--for', '99999999w', '--comment', 'forever']);
  assert.equal(added.code, 64, added.stderr);
  assert.match(added.stderr, /--for "99999999w" is longer than the maximum: give a duration of at most 365d/);
  assert.equal(p.state()?.silences?.length ?? 0, 0);
  const from = await p.run(['test', 'admins', '--from', '99999999w']);
  assert.equal(from.code, 64, from.stderr);
  assert.match(from.stderr, /--from "99999999w" is longer than the maximum: give a duration of at most 365d/);
  await logon(-1, 'root');
  const result = await run(0);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(world.smtp.messages.length, 1, 'the finding was sent');
});

test('throttle: 99999999w is refused by validate with file:line and the maximum; run skips only that alert', async () => {
  const { p, logon, run, index } = await durationProject({}, ['soc-email'], { throttle: '99999999w' });
  p.writeAlert('others', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], lookback: '15m', title: 'Other logon: {{key}}', samples: 0 });
  const validate = await p.run(['validate']);
  assert.equal(validate.code, 2, validate.stdout + validate.stderr);
  assert.match(validate.stdout + validate.stderr, /alerts\/admins\.yaml:\d+:\d+ \/throttle: .*at most 365d/);
  await logon(-1, 'root');
  const result = await run(0);
  assert.doesNotMatch(result.stderr, /Invalid time value|internal error/);
  assert.ok(world.smtp.messages.some((m) => m.subject.includes('Other logon: root')), 'the valid alert still searched and sent');
});

test('property: any duration text in a Telegram reply never stops a run, and no silence exceeds the maximum', async () => {
  const { group, p, logon, run, notice } = await botProject();
  let minute = 1;
  const amount = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.integer({ min: 0, max: 1000 }).map(String), fc.stringMatching(/^\d{1,400}$/));
  const text = fc.tuple(fc.constantFrom('silence', '/silence', 'ack', 'SILENCE'), amount, fc.constantFrom('s', 'm', 'h', 'd', 'w', 'ms', 'x', '')).map(([w, n, u]) => `${w} ${n}${u}`);
  await checkProperty('telegram duration replies', fc.asyncProperty(text, async (said) => {
    servers.telegram.say(ALICE, group, said, notice);
    const result = await run(minute++);
    assert.equal(result.code, 0, `${said}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /Invalid time value|internal error/);
    for (const s of p.state().silences) assert.ok(s.endsAt - s.createdAt <= 365 * 24 * 60 * MIN, `${said}: silence of ${s.endsAt - s.createdAt} ms`);
  }), 12);
});
