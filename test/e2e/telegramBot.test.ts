import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { hiveLadderProject } from '../support/hiveLadder.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import type { FakeChat } from '../support/telegramServer.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();

const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
const EVE = { id: 666, first_name: 'Eve', username: 'eve' };
const ADMIN = { id: 4242, first_name: 'Admin', username: 'boss' };
let nextGroup = 1;
/** A fresh group chat id per test (the fake Telegram lives for the whole file). */
const newGroup = (title = 'SOC'): FakeChat => ({ id: -1_009_000_000 - nextGroup++, type: 'supergroup', title });

// One bot, one fake Telegram for the whole file: each test starts with no update left over from the one before.
beforeEach(() => servers.telegram.clearQueue());

/** A project whose alert fires on `root` (searching the last 15 minutes, so the key keeps matching) and notifies a Telegram bot channel (chat `group`, only Alice may act). */
async function botProject(group: FakeChat, bot: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-tgbot');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: servers.telegram.base, timeout: '3s', bot: true, allowed_users: [ALICE.id], ...bot };
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}} on {{host.name}}', samples: 0 });
  const run = async (minutes: number) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
    return result;
  };
  return { T, p, index, run };
}

test('a press on Ack from an allowed person acks the key at the next run, answers the press, edits the message; the repeat stops', async () => {
  const group = newGroup();
  const { T, p, index, run } = await botProject(group);
  await run(0);
  const [notice] = servers.telegram.inChat(group.id);
  assert.ok(notice, 'the notice went to the chat');
  const buttons = notice.reply_markup!.inline_keyboard[0]!;
  assert.deepEqual(buttons.map((b) => b.text), ['Ack', 'Silence 1h']);
  for (const b of buttons) assert.match(b.callback_data!, /^[A-Za-z0-9_-]{8}:(ack|silence)$/, 'a short opaque reference, no alert data');
  const ref = buttons[0]!.callback_data!.split(':')[0]!;
  assert.equal(p.state().sent[0].ref, ref, 'the reference is kept in the state');
  assert.match(notice.text, new RegExp(`ref ${ref}: reply to this message with ack or silence 2h, or send /ack ${ref}`));

  servers.telegram.press(ALICE, notice, buttons[0]!.callback_data);
  await run(1);
  const key = p.state().alerts.admins.keys.root;
  assert.equal(key.acknowledged.by, '@alice (telegram 101)');
  assert.deepEqual(servers.telegram.answers.at(-1)!.ok, true, 'the press was answered in time');
  assert.match(servers.telegram.answers.at(-1)!.text, /Ack: @alice/);
  assert.match(notice.text, /✔ Ack: @alice, \d{4}-\d\d-\d\d \d\d:\d\d UTC\. acknowledged admins: "root"/, 'the message says who did what and when');
  assert.deepEqual(notice.reply_markup!.inline_keyboard[0]!.map((b) => b.text), ['Silence 1h'], 'Ack is done; Silence is still offered');
  assert.ok(p.audit().some((e) => e.event === 'chat_action' && e.op === 'ack' && e.by === '@alice (telegram 101)' && e.chat === String(group.id) && e.ok === true));

  // Root logs on again past the throttle: no repeat, it is acknowledged.
  await indexDocs(world.esUrl, index, [logonEvent(T + 8 * MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  await run(10);
  assert.equal(servers.telegram.inChat(group.id).length, 1, 'no repeat after the ack');
  const status = await p.run(['status']);
  assert.match(status.stdout, /firing "root": .*acknowledged by @alice \(telegram 101\)/);
  assert.match(status.stdout, /team-bot chat -?\d+: @alice \(telegram 101\): "ack admins root" done/);
});

test('a stranger\'s press changes nothing: a polite refusal, an audit record, and the key still repeats', async () => {
  const group = newGroup();
  const { T, p, index, run } = await botProject(group);
  await run(0);
  const [notice] = servers.telegram.inChat(group.id);
  const pressed = servers.telegram.press(EVE, notice!);
  await run(1);
  const state = p.state();
  assert.equal(state.alerts.admins.keys.root.acknowledged, undefined);
  assert.deepEqual(state.silences, []);
  const answer = servers.telegram.answers.find((a) => a.id === pressed)!;
  assert.match(answer.text, /^Sorry, you are not allowed to act on alerts here/);
  assert.ok(p.audit().some((e) => e.event === 'chat_refused' && e.by === '@eve (telegram 666)' && e.why === 'person not allowed'));
  assert.equal(notice!.edits, 0, 'the notice is unchanged');
  // A forged button (any client can send any data) is refused the same way.
  servers.telegram.press(EVE, notice!, 'AAAAAAAA:ack');
  await indexDocs(world.esUrl, index, [logonEvent(T + 8 * MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  await run(10);
  assert.equal(servers.telegram.inChat(group.id).length, 2, 'the repeat went out');
  const status = await p.run(['status']);
  assert.match(status.stdout, /@eve \(telegram 666\): "ack admins" refused\/failed: "person not allowed"/);
});

test('a press that expired before a late run is lost, but the text command and a reply still work; a replay after a kill applies nothing twice', async () => {
  const group = newGroup();
  const { p, run } = await botProject(group);
  await run(0);
  const [notice] = servers.telegram.inChat(group.id);
  const ref = notice!.reply_markup!.inline_keyboard[0]![0]!.callback_data!.split(':')[0]!;
  servers.telegram.press(ALICE, notice!);
  servers.telegram.advance(151);
  servers.telegram.say(ALICE, group, `/silence ${ref} 2h`);
  await run(3);
  const state = p.state();
  assert.equal(state.alerts.admins.keys.root.acknowledged, undefined, 'the expired press never arrived');
  assert.equal(state.silences.length, 1);
  assert.equal(state.silences[0].endsAt - state.silences[0].createdAt, 2 * 60 * MIN, 'silence for the 2h asked');
  assert.match(servers.telegram.sent.at(-1)!.visible, /✔ Silence 1h: @alice/, 'the bot confirms in the chat');

  // A reply "ack" to the notice; then the run is "killed" before storing its cursor: the next run reads it again.
  const before = p.state().cursors['team-bot'];
  servers.telegram.say(ALICE, group, 'ack', notice);
  await run(4);
  assert.ok(p.state().alerts.admins.keys.root.acknowledged);
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const killed = p.state();
  killed.cursors['team-bot'] = before;
  writeFileSync(join(p.dir, 'state', 'state.json'), JSON.stringify(killed));
  const replay = await run(5);
  assert.equal(p.state().silences.length, 1, 'not silenced twice');
  assert.equal(p.audit().filter((e) => e.event === 'chat_action' && e.op === 'ack').length, 2);
  assert.equal(p.audit().filter((e) => e.event === 'chat_action' && e.op === 'ack').at(-1).result, 'already applied');
  assert.equal(replay.stderr, '');
});

test('with an administrator nothing goes to a chat until allowed; Allow / Block buttons, admin commands, bans and migration', async () => {
  const group = newGroup('Night <b>shift</b> & <a href="https://evil.example">co</a>');
  const admin: FakeChat = { id: ADMIN.id, type: 'private', first_name: 'Admin' };
  const { p, T } = await botProject(group, { chat_id: undefined, admin_chat_id: ADMIN.id, allowed_users: undefined });
  const config = (await import('yaml')).parse((await import('node:fs')).readFileSync(`${p.dir}/alertcron.yaml`, 'utf8'));
  delete config.channels['team-bot'].chat_id;
  delete config.channels['team-bot'].allowed_users;
  p.writeConfig(config);
  const at = (minutes: number) => p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });

  const first = await at(0);
  assert.equal(first.code, 4, 'the notice waits for an allowed chat');
  assert.match(first.stderr, /no chat is allowed yet/);
  assert.equal(servers.telegram.inChat(group.id).length, 0);

  servers.telegram.membership(group, EVE, 'left', 'member');
  await at(1);
  const request = servers.telegram.inChat(admin.id).at(-1)!;
  assert.equal(request.text, `New supergroup chat ${group.title} (${group.id}), from @eve: send it alerts?`, 'the title is shown as plain text');
  assert.equal((servers.telegram.sent.at(-1)!.body as { parse_mode?: string }).parse_mode, undefined, 'no parse mode: no markup from a chat title');
  assert.deepEqual(request.reply_markup!.inline_keyboard[0]!.map((b) => b.text), ['Allow', 'Ignore', 'Block']);
  assert.equal(servers.telegram.inChat(group.id).length, 0, 'still nothing to the group');

  // Eve presses the admin's Allow button from her own chat: refused.
  servers.telegram.press(EVE, { ...request, chat: { id: EVE.id, type: 'private' } });
  servers.telegram.press(ADMIN, request, request.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  const allowed = await at(2);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.ok(p.state().chats['team-bot'].allowed[String(group.id)], 'allowed by the administrator');
  assert.equal(servers.telegram.inChat(group.id).length, 1, 'the waiting notice went out in the same run');
  assert.ok(p.audit().some((e) => e.event === 'chat_refused' && e.why === 'not the administrator'));

  // A stranger's private chat asks with /start; the administrator bans it; it is then ignored entirely.
  const stranger: FakeChat = { id: 777, type: 'private', first_name: 'Mallory' };
  servers.telegram.say({ id: 777, first_name: 'Mallory' }, stranger, '/start');
  await at(3);
  assert.match(servers.telegram.inChat(admin.id).at(-1)!.text, /^New private chat Mallory \(777\)/);
  servers.telegram.say(ADMIN, admin, '/ban777');
  servers.telegram.say(ADMIN, admin, '/accepted');
  servers.telegram.say(ADMIN, admin, '/status');
  servers.telegram.say(ADMIN, admin, '/ping');
  await at(4);
  const replies = servers.telegram.inChat(admin.id).slice(-4).map((m) => m.text);
  assert.match(replies[0]!, /^banned Mallory \(777\)/);
  assert.match(replies[1]!, new RegExp(`^allowed chats:\\n${group.id} `));
  assert.match(replies[2]!, /firing: 1\n {2}admins root/);
  assert.match(replies[3]!, /^pong/);
  const audited = p.audit().length;
  servers.telegram.say({ id: 777, first_name: 'Mallory' }, stranger, '/start');
  await at(5);
  assert.equal(p.audit().filter((e) => String(e.chat) === '777').length, p.audit().slice(0, audited).filter((e) => String(e.chat) === '777').length, 'a banned chat is ignored entirely');
  assert.equal(servers.telegram.inChat(777).length, 0, 'nothing was ever sent to it');

  // The group becomes a supergroup with a new id: it keeps its allowance.
  const upgraded = servers.telegram.migrate(group, group.id - 500_000);
  await at(6);
  const chats = p.state().chats['team-bot'];
  assert.ok(chats.allowed[String(upgraded.id)] && !chats.allowed[String(group.id)]);
  const status = await p.run(['status']);
  assert.match(status.stdout, /chats of team-bot: 1 allowed, 0 waiting, 1 banned/);
  assert.match(status.stdout, new RegExp(`allowed ${upgraded.id} `));
});

test('a TheHive alert\'s Promote button creates the case at the next run, stops the escalation and edits the message', async () => {
  const T = uniqueBaseTime();
  const group = newGroup();
  const { project, sent } = hiveLadderProject(world, servers, fake, { notify: ['team-bot'] });
  const config = (await import('yaml')).parse((await import('node:fs')).readFileSync(`${project.dir}/alertcron.yaml`, 'utf8'));
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: servers.telegram.base, timeout: '3s', bot: true };
  project.writeConfig(config);
  const alert = fake.server.addAlert({ title: 'Phishing <click>', severity: 3, _createdAt: T });
  const at = async (minutes: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
  };
  await at(1);
  const [notice] = servers.telegram.inChat(group.id);
  assert.deepEqual(notice!.reply_markup!.inline_keyboard[0]!.map((b) => b.text), ['Promote', 'Ignore 30m']);
  servers.telegram.press(ALICE, notice!);
  await at(2);
  assert.equal(fake.server.cases.length, 1);
  assert.equal(fake.server.cases[0]!.alertId, alert._id);
  assert.match(notice!.text, /✔ Promote: @alice, .* case #1 created from alert/);
  assert.equal(notice!.reply_markup, undefined, 'no buttons once promoted');
  await at(31);
  assert.deepEqual(sent().sms, [], 'no escalation after the promote');
  // The same press read again (a replay) creates no second case.
  servers.telegram.say(ALICE, group, 'promote', notice);
  await at(32);
  assert.equal(fake.server.cases.length, 1);
});

test('an ack from chat also mutes the notice still pending on another channel (a failed send), as the CLI ack does', async () => {
  const group = newGroup();
  const { p, run, T } = await botProject(group);
  p.writeAlert('admins', { ...(await import('yaml')).parse((await import('node:fs')).readFileSync(`${p.dir}/alerts/admins.yaml`, 'utf8')), notify: ['team-bot', 'soc-slack'] });
  world.slack.behaviour = 'server-error';
  const first = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, 'Slack failed: its notice stays pending');
  assert.deepEqual(p.state().pending.map((x: { channel: string }) => x.channel), ['soc-slack']);
  world.slack.behaviour = 'ok';
  servers.telegram.press(ALICE, servers.telegram.inChat(group.id)[0]!);
  await run(1);
  assert.deepEqual(p.state().pending, []);
  assert.equal(world.slack.accepted().length, 0, 'the pending Slack notice was not sent after the ack');
  assert.ok(p.audit().some((e) => e.event === 'muted' && e.channel === 'soc-slack' && /acknowledged by @alice/.test(e.why)));
});

test('Telegram 409 (a webhook set, another poller), a chat that blocked the bot (403) and a send to an upgraded group', async () => {
  const group = newGroup();
  const admin: FakeChat = { id: ADMIN.id, type: 'private', first_name: 'Admin' };
  const other = newGroup('Other');
  const { p, T } = await botProject(group, { admin_chat_id: ADMIN.id });
  const at = (minutes: number) => p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
  // The administrator allows another group before the alert fires.
  servers.telegram.membership(other, ADMIN, 'left', 'member');
  servers.telegram.conflict = 'webhook';
  const conflicted = await at(0);
  assert.equal(conflicted.code, 0, 'notices still go out');
  assert.match(conflicted.stderr, /channel team-bot: could not read its inbox: Telegram answered HTTP 409 Conflict: can't use getUpdates method while webhook is active/);
  assert.equal(servers.telegram.inChat(group.id).length, 1);
  servers.telegram.conflict = undefined;
  await at(1);
  const request = servers.telegram.inChat(admin.id).at(-1)!;
  servers.telegram.say(ADMIN, admin, `/accept${other.id}`);
  await at(2);
  assert.ok(p.state().chats['team-bot'].allowed[String(other.id)]);
  // The next notice: the group upgraded meanwhile (400 migrate_to_chat_id on send), the other group blocked the bot (403).
  const upgraded = servers.telegram.migrate(group, group.id - 700_000);
  servers.telegram.clearQueue();
  servers.telegram.blockedChats.add(other.id);
  const { writeFileSync, readFileSync } = await import('node:fs');
  const yaml = await import('yaml');
  const alert = yaml.parse(readFileSync(`${p.dir}/alerts/admins.yaml`, 'utf8'));
  writeFileSync(`${p.dir}/alerts/admins.yaml`, yaml.stringify({ ...alert, throttle: '1m' }));
  const sent = await at(4);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(servers.telegram.inChat(upgraded.id).length, 2, 'sent again to the supergroup id');
  assert.equal(p.state().pending.length, 0, 'a 403 is not retried');
  assert.equal(p.state().chats['team-bot'].allowed[String(other.id)], undefined, 'a chat that blocked or kicked the bot leaves the list');
  assert.ok(request, 'the administrator was asked about the other group');
});
