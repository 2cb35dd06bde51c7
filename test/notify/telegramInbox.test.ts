import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatsOf, emptyState, type StateData } from '../../src/model/state.js';
import type { TelegramChannelConfig } from '../../src/notify/config.js';
import { sendPlain } from '../../src/notify/telegramApi.js';
import { createTelegramInbox } from '../../src/notify/telegramInbox.js';
import { startTelegramServer, type TelegramServer } from '../support/telegramServer.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
const TEAM = { id: -100, type: 'supergroup' as const, title: 'Team' };
const OTHER = { id: -300, type: 'supergroup' as const, title: 'Other allowed' };
const ADMIN = { id: -999, type: 'supergroup' as const, title: 'Admins' };
const ACK = [{ name: 'ack', label: 'Ack', op: 'ack' as const }];

function configOf(server: TelegramServer, extra: Partial<TelegramChannelConfig> = {}): TelegramChannelConfig {
  return { type: 'telegram', api_url: server.base, bot_token: server.token, timeout: 5000, chat_id: String(TEAM.id), admin_chat_id: String(ADMIN.id), bot: true, disable_notification: false, ...extra } as TelegramChannelConfig;
}

/** A state in which channel `team` sent notice `teamref1` to the team chat, and channel `ops` sent `opsref01` to the other chat. */
async function stateWithNotices(server: TelegramServer): Promise<StateData> {
  const bot = { api_url: server.base, bot_token: server.token, timeout: 5000 };
  const data = emptyState();
  chatsOf(data, 'team').allowed[String(OTHER.id)] = { id: String(OTHER.id), title: 'Other allowed', kind: 'supergroup', at: NOW };
  const teamMessage = await sendPlain(bot, TEAM.id, 'disk full on db1', { buttons: [[{ text: 'Ack', callback_data: 'teamref1:ack' }]] });
  const opsMessage = await sendPlain(bot, OTHER.id, 'ops notice', { buttons: [[{ text: 'Ack', callback_data: 'opsref01:ack' }]] });
  data.sent.push({ id: 'n1', alert: 'disk', key: 'db1', channel: 'team', reason: 'first', at: NOW, receipt: { chat: String(TEAM.id), id: String(teamMessage) }, actions: ACK, ref: 'teamref1' });
  data.sent.push({ id: 'n2', alert: 'ops', key: 'x', channel: 'ops', reason: 'first', at: NOW, receipt: { chat: String(OTHER.id), id: String(opsMessage) }, actions: ACK, ref: 'opsref01' });
  return data;
}

test('presses and commands act only on notices of this channel that were sent to the chat they come from, and a press only on the notice message itself', async () => {
  const server = await startTelegramServer();
  try {
    const data = await stateWithNotices(server);
    const [teamNotice] = server.inChat(TEAM.id);
    const [opsNotice] = server.inChat(OTHER.id);
    server.say(ALICE, TEAM, '/ack opsref01'); // another channel's notice
    server.say(ALICE, OTHER, '/ack teamref1'); // this channel's notice, but sent to another chat
    server.press(ALICE, opsNotice!, 'teamref1:ack'); // forged button data on another message
    server.press(ALICE, opsNotice!); // the ops channel's button: not this channel's
    const bystander = await sendPlain({ api_url: server.base, bot_token: server.token, timeout: 5000 }, TEAM.id, 'some other bot message', { buttons: [[{ text: 'x', callback_data: 'teamref1:ack' }]] });
    server.press(ALICE, server.inChat(TEAM.id).find((m) => m.message_id === bystander)!); // right chat, wrong message
    const read = await createTelegramInbox('team', configOf(server)).read(undefined, AbortSignal.timeout(5000), { data, now: NOW });
    assert.deepEqual(read.actions, [], 'nothing acts on a notice it was not sent as');
    assert.deepEqual(read.audit!.map((e) => e.why), ['unknown notice reference', 'unknown notice reference', 'unknown or expired notice reference', 'unknown or expired notice reference', 'unknown or expired notice reference']);
    assert.equal(server.edits.length, 0, 'no message was edited');
    server.say(ALICE, TEAM, '/ack teamref1');
    server.press(ALICE, teamNotice!);
    const good = await createTelegramInbox('team', configOf(server)).read(read.cursor, AbortSignal.timeout(5000), { data, now: NOW });
    assert.deepEqual(good.actions.map((a) => [a.notice, a.action, a.chat]), [['n1', 'ack', String(TEAM.id)], ['n1', 'ack', String(TEAM.id)]]);
  } finally {
    await server.close();
  }
});

test('a notice owed to a chat is not resent once that chat is banned, and the chats that got it keep their messages for replies and the final receipt', async () => {
  const { createTelegramNotifier } = await import('../../src/notify/telegram.js');
  const { DeliveryError } = await import('../../src/notify/types.js');
  const { markDelivered } = await import('../../src/state/delivered.js');
  const server = await startTelegramServer();
  try {
    const data = emptyState();
    chatsOf(data, 'team').allowed[String(OTHER.id)] = { id: String(OTHER.id), title: 'Other allowed', kind: 'supergroup', at: NOW };
    const config = configOf(server);
    const notifier = await createTelegramNotifier('team', config, data);
    const notification = { alert: 'disk', key: 'db1', reason: 'first', title: 'disk full', message: 'db1', actions: ACK, ref: 'teamref1' };
    server.floodedChats.add(OTHER.id);
    const failure = await notifier.send(notification, AbortSignal.timeout(5000)).then(() => undefined, (e: unknown) => e);
    assert.ok(failure instanceof DeliveryError && failure.retryable);
    assert.deepEqual(failure.remainingTo, [String(OTHER.id)]);
    const [teamMessage] = server.inChat(TEAM.id);
    assert.deepEqual(failure.partial, { chat: String(TEAM.id), id: String(teamMessage!.message_id) });
    // The outbox keeps it pending with what was already sent: a reply in the team chat finds the notice meanwhile.
    data.pending.push({ id: 'n1', alert: 'disk', key: 'db1', channel: 'team', reason: 'first', title: 'disk full', message: 'db1', createdAt: NOW, attempts: 1, to: failure.remainingTo, partial: failure.partial, actions: ACK, ref: 'teamref1' });
    server.say(ALICE, TEAM, '/ack teamref1');
    const read = await createTelegramInbox('team', config).read(undefined, AbortSignal.timeout(5000), { data, now: NOW });
    assert.deepEqual(read.actions.map((a) => [a.notice, a.action]), [['n1', 'ack']]);
    // The administrator bans the flooded chat; the next attempt sends nothing, and the receipt keeps the team message.
    delete chatsOf(data, 'team').allowed[String(OTHER.id)];
    chatsOf(data, 'team').banned[String(OTHER.id)] = { id: String(OTHER.id), title: 'Other allowed', kind: 'supergroup', at: NOW };
    server.floodedChats.clear();
    const sentBefore = server.sent.length;
    const receipt = await notifier.send({ ...notification, to: [String(OTHER.id)] }, AbortSignal.timeout(5000));
    assert.equal(server.sent.length, sentBefore, 'nothing goes to a banned chat');
    markDelivered(data, { id: 'n1', at: NOW, ...(receipt ? { receipt } : {}) });
    assert.deepEqual(data.sent[0]!.receipt, { chat: String(TEAM.id), id: String(teamMessage!.message_id) });
  } finally {
    await server.close();
  }
});

test('a partly failed send that later reaches the owed chat ends with one receipt naming both messages', async () => {
  const { createTelegramNotifier } = await import('../../src/notify/telegram.js');
  const { mergeReceipts } = await import('../../src/model/receipt.js');
  const server = await startTelegramServer();
  try {
    const data = emptyState();
    chatsOf(data, 'team').allowed[String(OTHER.id)] = { id: String(OTHER.id), title: 'Other allowed', kind: 'supergroup', at: NOW };
    const notifier = await createTelegramNotifier('team', configOf(server), data);
    const notification = { alert: 'disk', key: 'db1', reason: 'first', title: 'disk full', message: 'db1' };
    server.floodedChats.add(OTHER.id);
    const failure = (await notifier.send(notification, AbortSignal.timeout(5000)).catch((e: { partial?: unknown }) => e)) as { partial: { chat: string; id: string } };
    server.floodedChats.clear();
    const later = await notifier.send({ ...notification, to: [String(OTHER.id)] }, AbortSignal.timeout(5000));
    const [other] = server.inChat(OTHER.id);
    assert.deepEqual(mergeReceipts(failure.partial, later ?? undefined), { chat: failure.partial.chat, id: failure.partial.id, messages: [failure.partial, { chat: String(OTHER.id), id: String(other!.message_id) }] });
  } finally {
    await server.close();
  }
});

test('in a group admin chat only admin_users administer; nobody can ban or deny the admin chat or chat_id', async () => {
  const server = await startTelegramServer();
  try {
    const data = emptyState();
    const config = configOf(server, { admin_users: [ALICE.id] });
    const mallory = { id: 666, first_name: 'Mallory' };
    const stranger = { id: -555, type: 'supergroup' as const, title: 'Stranger group' };
    server.membership(stranger, mallory, 'left', 'member');
    let read = await createTelegramInbox('team', config).read(undefined, AbortSignal.timeout(5000), { data, now: NOW });
    const request = server.inChat(ADMIN.id).find((m) => /Stranger group/.test(m.text))!;
    server.press(mallory, request, request.reply_markup!.inline_keyboard[0]![0]!.callback_data); // Allow, by a member who is not an admin
    server.say(mallory, ADMIN, `/accept${stranger.id}`);
    read = await createTelegramInbox('team', config).read(read.cursor, AbortSignal.timeout(5000), { data, now: NOW });
    assert.equal(chatsOf(data, 'team').allowed[String(stranger.id)], undefined, 'a member of the admin group who is not in admin_users allows nothing');
    assert.ok(read.audit!.some((e) => e.why === 'not the administrator' && e.by === 'Mallory (telegram 666)'));
    server.say(ALICE, ADMIN, `/ban${TEAM.id}`);
    server.say(ALICE, ADMIN, `/deny${ADMIN.id}`);
    server.say(ALICE, ADMIN, `/accept${stranger.id}`);
    await createTelegramInbox('team', config).read(read.cursor, AbortSignal.timeout(5000), { data, now: NOW });
    const replies = server.inChat(ADMIN.id).map((m) => m.text).slice(-3);
    assert.match(replies[0]!, /is the chat_id of alertcron.yaml: change it there, not by a ban/);
    assert.match(replies[1]!, /is the admin chat of alertcron.yaml: change it there, not by a deny/);
    assert.ok(chatsOf(data, 'team').allowed[String(stranger.id)], 'an admin user allows it');
    assert.equal(chatsOf(data, 'team').banned[String(TEAM.id)], undefined);
  } finally {
    await server.close();
  }
});

test('validate: a group admin chat without admin_users is refused with the key to set', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readConfig } = await import('../../src/config/loadConfig.js');
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-admin-'));
  const file = join(dir, 'alertcron.yaml');
  writeFileSync(file, 'channels:\n  bot: { type: telegram, bot_token: "${TG_TOKEN}", admin_chat_id: -1001234 }\n');
  const reading = await readConfig(file, { TG_TOKEN: "1:x" });
  assert.deepEqual(reading.problems.map((p) => p.message), ['missing required key "admin_users"']);
  writeFileSync(file, 'channels:\n  bot: { type: telegram, bot_token: "${TG_TOKEN}", admin_chat_id: -1001234, admin_users: [42] }\n');
  assert.deepEqual((await readConfig(file, { TG_TOKEN: "1:x" })).problems, []);
  writeFileSync(file, 'channels:\n  bot: { type: telegram, bot_token: "${TG_TOKEN}", admin_chat_id: 4242 }\n');
  assert.deepEqual((await readConfig(file, { TG_TOKEN: "1:x" })).problems, [], 'a private admin chat is its owner');
});

test('untrusted titles, names and log data reach Telegram inert: no tappable /command, @mention or link survives', async () => {
  const { inertForChat } = await import('../../src/notify/text.js');
  const { telegramMessage } = await import('../../src/notify/telegram.js');
  const server = await startTelegramServer();
  try {
    const data = emptyState();
    const attacker = { id: -1009999999, type: 'supergroup' as const, title: 'Urgent: tap /accept-1009999999 or see https://evil.example/x @boss' };
    server.membership(attacker, { id: 666, first_name: '/ban-100' }, 'left', 'member');
    await createTelegramInbox('team', configOf(server, { admin_users: [ALICE.id] })).read(undefined, AbortSignal.timeout(5000), { data, now: NOW });
    const asked = server.inChat(ADMIN.id).at(-1)!.text;

    assert.match(asked.replaceAll('\u2060', ''), /Urgent: tap \/accept-1009999999 or see https:\/\/evil\.example\/x @bo/, "it reads the same (cut to 64)");
    assert.doesNotMatch(asked.replace(/^New supergroup chat /, ''), /\/(?!\u2060)[a-z]|@(?!\u2060)\w|:\/\/|evil\.(?!\u2060)example/i);
    const notice = telegramMessage({ alert: 'a', key: 'k', reason: 'first', title: 'login by @root', message: 'from http://10.0.0.1/x run /start now, see evil.example' }, { chat_id: '-1', bot: false, disable_notification: false });
    assert.doesNotMatch(notice.text.replace(/<\/?[bi]>/g, ""), /\/(?!\u2060)[a-z]|@(?!\u2060)\w|:\/\/|evil\.(?!\u2060)example/i);
    assert.equal(inertForChat('ratio 1.5 of a/ b'), 'ratio 1.5 of a/ b', 'numbers and spaced slashes stay as they are');
    assert.equal(inertForChat('v1.2.3 on 10.0.0.1'), 'v1.2.3 on 10.0.0.1', 'versions and IP addresses stay as they are');
    assert.equal(inertForChat('paypa1.com evil1.com'), 'paypa1.\u2060com evil1.\u2060com', 'a label that ends in a digit is a domain too');

  } finally {
    await server.close();
  }
});

test('an applied-once id names its channel: two bots with the same update_id are two actions', async () => {
  const server = await startTelegramServer();
  try {
    const data = await stateWithNotices(server);
    server.say(ALICE, TEAM, '/ack teamref1');
    const read = await createTelegramInbox('team', configOf(server)).read(undefined, AbortSignal.timeout(5000), { data, now: NOW });
    assert.match(read.actions[0]!.id, /^tg:team:\d+$/);
  } finally {
    await server.close();
  }
});

test('a private message is handed on as the person\'s own words only: forwarded messages, inline-bot messages and bots are left out', async () => {
  const server = await startTelegramServer();
  try {
    const data = emptyState();
    const privateChat = { id: ALICE.id, type: 'private' as const, first_name: 'Alice' };
    server.say(ALICE, privateChat, 'yes', undefined, { forward_origin: { type: 'user', date: 1, sender_user: { id: 202, is_bot: false, first_name: 'Mallory' } }, forward_date: 1 });
    server.say(ALICE, privateChat, 'yes', undefined, { forward_date: 1, forward_sender_name: 'Hidden' });
    server.say(ALICE, privateChat, 'yes', undefined, { via_bot: { id: 303, is_bot: true, first_name: 'Inline' } });
    server.say(ALICE, privateChat, 'yes', undefined, { from: { id: ALICE.id, is_bot: true, first_name: 'Bot' } });
    server.say(ALICE, privateChat, 'yes, it was me');
    const read = await createTelegramInbox('team', configOf(server)).read(undefined, AbortSignal.timeout(5000), { data, now: NOW });
    assert.deepEqual(read.messages!.map((m) => [m.user, m.text]), [[String(ALICE.id), 'yes, it was me']]);
  } finally {
    await server.close();
  }
});
