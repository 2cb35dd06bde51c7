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
