import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSlackAskChannel } from '../../src/notify/slackAsk.js';
import { createTelegramAskChannel, type PrivateMessage } from '../../src/notify/telegramAsk.js';
import { PersonUnreachable } from '../../src/notify/types.js';
import { startSlackApiServer } from '../support/slackApiServer.js';
import { startTelegramServer } from '../support/telegramServer.js';

const signal = () => AbortSignal.timeout(5000);

test('Slack: a person found by email or user id, the DM opened, the question inert, only their own later messages read', async () => {
  const server = await startSlackApiServer();
  try {
    server.addUser('U0ALICE', 'alice@example.org');
    server.addUser('U0GONE', 'gone@example.org', { deleted: true });
    const chat = createSlackAskChannel({ api_url: server.apiUrl, bot_token: server.token, timeout: 5000 });
    const alice = await chat.find({ name: 'alice', email: 'Alice@Example.org' }, signal());
    assert.deepEqual(alice, { user: 'U0ALICE', chat: 'D0ALICE' });
    assert.deepEqual(await chat.find({ name: 'a', slack: 'U0ALICE' }, signal()), alice, 'a Slack user id skips the email lookup');
    assert.equal(await chat.find({ name: 'mallory', email: 'mallory@example.org' }, signal()), undefined, 'users_not_found');
    assert.equal(await chat.find({ name: 'gone', email: 'gone@example.org' }, signal()), undefined, 'a deactivated account');
    assert.equal(await chat.find({ name: 'x', slack: 'U0NOBODY' }, signal()), undefined, 'user_not_found from conversations.open');
    assert.equal(await chat.find({ name: 'bob' }, signal()), undefined, 'neither email nor id');
    const ts = await chat.say(alice!, 'Did you log in as <!channel> from <https://evil.example|here>? *urgent*', signal());
    const question = server.find('D0ALICE', ts)!;
    assert.doesNotMatch(question.text, /<!channel>|<https?:|\*urgent\*/);
    assert.equal(question.body!.unfurl_links, false);
    // The text itself is shown only as plain_text: mrkdwn would turn a bare URL from the logs into a link.
    assert.deepEqual(question.blocks, [{ type: 'section', text: { type: 'plain_text', text: 'Did you log in as <!channel> from <https://evil.example|here>? *urgent*', emoji: false } }]);
    server.say('D0ALICE', 'U0MALLORY', 'yes');
    const bot = await chat.say(alice!, 'a reminder', signal());
    const reply = server.say('D0ALICE', 'U0ALICE', 'no, not me');
    assert.deepEqual(await chat.replies(alice!, ts, signal()), [{ text: 'no, not me', at: Math.round(Number(reply.ts) * 1000), ref: reply.ts }]);
    assert.deepEqual(await chat.replies(alice!, reply.ts, signal()), [], 'after is exclusive');
    assert.ok(Number(bot) > Number(ts));
    const methods = server.calls.map((c) => c.method);
    assert.ok(methods.includes('users.lookupByEmail') && methods.includes('conversations.open') && methods.includes('conversations.history'));
    server.failing.set('users.lookupByEmail', 'invalid_auth');
    await assert.rejects(chat.find({ name: 'alice', email: 'alice@example.org' }, signal()), /invalid_auth/, 'a broken token is an error, not an unknown person');
  } finally {
    await server.close();
  }
});

test('Telegram: a person by user id, plain-text messages, replies from the run\'s updates only; a user who never started the bot is unreachable', async () => {
  const server = await startTelegramServer();
  try {
    const inbox: PrivateMessage[] = [];
    const chat = createTelegramAskChannel({ api_url: server.base, bot_token: server.token, timeout: 5000 }, () => inbox);
    assert.equal(await chat.find({ name: 'carol' }, signal()), undefined);
    const carol = (await chat.find({ name: 'carol', telegram: '4242' }, signal()))!;
    assert.deepEqual(carol, { user: '4242', chat: '4242' });
    const ref = await chat.say(carol, 'Did you run <b>sudo</b>?', signal());
    const sent = server.sent.at(-1)!;
    assert.equal(sent.body.parse_mode, undefined, 'plain text: no markup is parsed');
    assert.equal(sent.visible, 'Did you run <b>sudo</b>?');
    inbox.push({ chat: '4242', user: '4242', text: 'earlier', at: 1, ref: String(Number(ref) - 1) }, { chat: '4242', user: '4242', text: 'yes', at: 2, ref: String(Number(ref) + 1) }, { chat: '999', user: '999', text: 'yes', at: 3, ref: String(Number(ref) + 2) });
    assert.deepEqual((await chat.replies(carol, ref, signal())).map((r) => r.text), ['yes']);
    server.blockedChats.add(4343);
    await assert.rejects(chat.say({ user: '4343', chat: '4343' }, 'hello', signal()), (e: Error) => e instanceof PersonUnreachable && /must start a private chat/.test(e.message));
  } finally {
    await server.close();
  }
});
