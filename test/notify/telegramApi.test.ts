import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerPress, callTelegram, editMessage, readUpdates, sendPlain, TelegramApiError } from '../../src/notify/telegramApi.js';
import { startTelegramServer } from '../support/telegramServer.js';

const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
const GROUP = { id: -100500, type: 'supergroup' as const, title: 'SOC' };

test('getUpdates: each read starts at the stored offset, confirms nothing itself, and the next offset forgets what was read', async () => {
  const server = await startTelegramServer();
  try {
    const bot = { api_url: server.base, bot_token: server.token, timeout: 5000 };
    await sendPlain(bot, GROUP.id, 'hello', { buttons: [[{ text: 'Ack', callback_data: 'r1:ack' }]] });
    const [message] = server.inChat(GROUP.id);
    server.press(ALICE, message!);
    server.say(ALICE, GROUP, '/ack r1', message);
    const first = await readUpdates(bot, undefined);
    assert.equal(first.updates.length, 2);
    assert.equal(first.updates[0]!.callback_query?.data, 'r1:ack');
    assert.equal(first.updates[1]!.message?.reply_to_message?.message_id, message!.message_id);
    // A run killed before storing the offset reads the same updates again.
    const again = await readUpdates(bot, undefined);
    assert.deepEqual(again.updates.map((u) => u.update_id), first.updates.map((u) => u.update_id));
    const confirmed = await readUpdates(bot, first.offset);
    assert.equal(confirmed.updates.length, 0);
    assert.equal(confirmed.offset, first.offset, 'no update: the offset stays');
    assert.equal(server.queued(), 0);
    assert.deepEqual(server.polls.map((p) => p.offset), [undefined, undefined, first.offset]);
  } finally {
    await server.close();
  }
});

test('getUpdates reads one page of 100 (the next page would confirm it), says more is waiting, and presses expire after 150 s while messages stay', async () => {
  const server = await startTelegramServer();
  try {
    const bot = { api_url: server.base, bot_token: server.token, timeout: 5000 };
    for (let i = 0; i < 150; i++) server.say(ALICE, { id: ALICE.id, type: 'private' }, `msg ${i}`);
    const page = await readUpdates(bot, undefined);
    assert.equal(page.updates.length, 100);
    assert.equal(page.more, true);
    assert.equal(server.queued(), 150, 'nothing was confirmed by reading one page');
    const read = await readUpdates(bot, page.offset);
    assert.equal(read.updates.length, 50);
    assert.equal(read.more, false);
    assert.deepEqual(server.polls.map((p) => p.returned), [100, 50]);
    await sendPlain(bot, GROUP.id, 'n', { buttons: [[{ text: 'Ack', callback_data: 'r:ack' }]] });
    server.press(ALICE, server.inChat(GROUP.id)[0]!);
    server.say(ALICE, GROUP, '/ack r');
    server.advance(151);
    const late = await readUpdates(bot, read.offset);
    assert.deepEqual(late.updates.map((u) => Object.keys(u).filter((k) => k !== 'update_id')[0]), ['message'], 'the press is gone, the command is not');
  } finally {
    await server.close();
  }
});

test('answerCallbackQuery too late is harmless; edits treat "not modified" as done; 409, 403, 429 and migration carry their facts', async () => {
  const server = await startTelegramServer();
  try {
    const bot = { api_url: server.base, bot_token: server.token, timeout: 5000 };
    await sendPlain(bot, GROUP.id, 'notice', { buttons: [[{ text: 'Ack', callback_data: 'x:ack' }]] });
    const message = server.inChat(GROUP.id)[0]!;
    const fresh = server.press(ALICE, message);
    assert.equal(await answerPress(bot, fresh, 'done'), true);
    const old = server.press(ALICE, message);
    server.advance(60);
    assert.equal(await answerPress(bot, old, 'done'), false);
    assert.deepEqual(server.answers.map((a) => a.ok), [true, false]);
    await editMessage(bot, GROUP.id, message.message_id, 'notice\nacknowledged by @alice', []);
    await editMessage(bot, GROUP.id, message.message_id, 'notice\nacknowledged by @alice', []);
    assert.equal(server.edits.length, 1);
    assert.equal(message.reply_markup, undefined, 'the buttons are gone');
    await assert.rejects(editMessage(bot, GROUP.id, 4242, 'x', []), /message to edit not found/);
    await assert.rejects(sendPlain(bot, GROUP.id, 'x', { buttons: [[{ text: 'A', callback_data: 'y'.repeat(65) }]] }), /BUTTON_DATA_INVALID/);
    server.conflict = 'webhook';
    await assert.rejects(readUpdates(bot, undefined), (e: TelegramApiError) => e.status === 409 && /webhook is active/.test(e.description));
    await callTelegram(bot, 'deleteWebhook', {});
    await readUpdates(bot, undefined);
    server.blockedChats.add(ALICE.id);
    await assert.rejects(sendPlain(bot, ALICE.id, 'x'), (e: TelegramApiError) => e.status === 403 && !e.toDeliveryError().retryable);
    server.behaviour = 'rate-limited';
    await assert.rejects(sendPlain(bot, GROUP.id, 'x'), (e: TelegramApiError) => e.status === 429 && e.retryAfterMs === 1000 && e.toDeliveryError().retryable);
    server.behaviour = 'ok';
    const old_group = { id: -4001, type: 'group' as const, title: 'Old' };
    server.migrate(old_group, -1004001);
    await assert.rejects(sendPlain(bot, old_group.id, 'x'), (e: TelegramApiError) => e.migrateTo === -1004001);
    await assert.rejects(callTelegram({ ...bot, bot_token: '1:wrong' }, 'getMe', {}), (e: TelegramApiError) => e.status === 401 && !e.message.includes('1:wrong'));
    await assert.rejects(callTelegram(bot, 'noSuchMethod', {}), (e: TelegramApiError) => e.status === 404);
  } finally {
    await server.close();
  }
});
