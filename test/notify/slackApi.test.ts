import assert from 'node:assert/strict';
import { test } from 'node:test';
import { botUserId, callSlack, postMessage, readHistory, readReplies, SlackApiError, updateMessage } from '../../src/notify/slackApi.js';
import { startSlackApiServer } from '../support/slackApiServer.js';

test('the Slack Web API client posts, updates, and reads history with reactions and thread replies', async () => {
  const server = await startSlackApiServer();
  try {
    const app = { api_url: server.apiUrl, bot_token: server.token, timeout: 5000 };
    assert.equal(await botUserId(app), server.botUser);
    const posted = await postMessage(app, { channel: 'C0ALERTS', text: 'disk full' });
    assert.equal(posted.channel, 'C0ALERTS');
    assert.equal(server.find('C0ALERTS', posted.ts)!.body!.unfurl_links, false);
    server.react('C0ALERTS', posted.ts, 'white_check_mark', 'U0ALICE');
    const reply = server.reply('C0ALERTS', posted.ts, 'U0BOB', 'silence 2h');
    const history = await readHistory(app, 'C0ALERTS', posted.ts);
    assert.equal(history.calls, 1);
    assert.deepEqual(history.messages[0]!.reactions, [{ name: 'white_check_mark', users: ['U0ALICE'], count: 1 }]);
    assert.equal(history.messages[0]!.latest_reply, reply.ts);
    const replies = await readReplies(app, 'C0ALERTS', posted.ts, undefined);
    assert.deepEqual(replies.map((r) => [r.user, r.text]), [['U0BOB', 'silence 2h']]);
    assert.deepEqual(await readReplies(app, 'C0ALERTS', posted.ts, reply.ts), [], 'oldest is exclusive for alertcron');
    await updateMessage(app, { channel: 'C0ALERTS', ts: posted.ts, text: 'disk full (acknowledged)' });
    assert.equal(server.find('C0ALERTS', posted.ts)!.text, 'disk full (acknowledged)');
    const get = server.calls.find((c) => c.method === 'conversations.history')!;
    assert.equal(get.params.inclusive, 'true');
  } finally {
    await server.close();
  }
});

test('history follows cursor pages; ok:false codes and 429 become delivery errors that say whether to retry', async () => {
  const server = await startSlackApiServer();
  try {
    const app = { api_url: server.apiUrl, bot_token: server.token, timeout: 5000 };
    const first = await postMessage(app, { channel: 'C0ALERTS', text: 'one' });
    for (let i = 0; i < 250; i++) await postMessage(app, { channel: 'C0ALERTS', text: `n${i}` });
    const history = await readHistory(app, 'C0ALERTS', first.ts);
    assert.equal(history.messages.length, 251);
    assert.equal(history.calls, 2);
    assert.equal(history.complete, true);
    await assert.rejects(postMessage(app, { channel: 'C0NOPE', text: 'x' }), (e: SlackApiError) => e.code === 'channel_not_found' && !e.retryable);
    server.notMember.add('C0PRIV');
    await assert.rejects(postMessage(app, { channel: 'C0PRIV', text: 'x' }), (e: SlackApiError) => e.code === 'not_in_channel' && !e.retryable);
    await assert.rejects(callSlack({ ...app, bot_token: 'xoxb-wrong' }, 'auth.test', {}), (e: SlackApiError) => e.code === 'invalid_auth' && !e.retryable && !e.message.includes('xoxb'));
    server.rateLimited.set('conversations.history', '7');
    await assert.rejects(readHistory(app, 'C0ALERTS', first.ts), (e: SlackApiError) => e.code === 'ratelimited' && e.retryable && e.retryAfterMs === 7000);
    server.failing.set('chat.postMessage', 'internal_error');
    await assert.rejects(postMessage(app, { channel: 'C0ALERTS', text: 'x' }), (e: SlackApiError) => e.retryable);
    await assert.rejects(readReplies(app, 'C0ALERTS', '1.000001', undefined), (e: SlackApiError) => e.code === 'thread_not_found');
  } finally {
    await server.close();
  }
});

test('a channel busier than one run reads: history says it stopped early, and the inbox names the notices it could not reach', async () => {
  const { createSlackAppInbox } = await import('../../src/notify/slackAppInbox.js');
  const { emptyState } = await import('../../src/model/state.js');
  const server = await startSlackApiServer();
  try {
    const app = { api_url: server.apiUrl, bot_token: server.token, timeout: 5000 };
    const notice = await postMessage(app, { channel: 'C0ALERTS', text: 'disk full' });
    for (let i = 0; i < 650; i++) await postMessage(app, { channel: 'C0ALERTS', text: `chatter ${i}` });
    const capped = await readHistory(app, 'C0ALERTS', notice.ts, undefined, 1);
    assert.deepEqual([capped.messages.length, capped.calls, capped.complete], [200, 1, false]);
    const data = emptyState();
    const now = Date.now();
    data.sent.push({ id: 'n1', alert: 'disk', key: 'db1', channel: 'soc', reason: 'first', at: now, receipt: { chat: 'C0ALERTS', id: notice.ts }, actions: [{ name: 'ack', label: 'Ack', op: 'ack' }] });
    const config = { type: 'slack-app' as const, ...app, channel: 'C0ALERTS', reactions: { ack: 'white_check_mark' }, watch_for: 86_400_000 };
    const read = await createSlackAppInbox('soc', config).read(undefined, AbortSignal.timeout(5000), { data, now });
    // 651 messages: three calls of 200 reach back 600, not to the notice; the run says so instead of staying silent.
    assert.deepEqual(read.warnings, ['channel soc: 1 notice(s) are older than the 600 newest messages read this run: their reactions and replies are not read (shorten watch_for, or give alerts a quieter channel)']);
  } finally {
    await server.close();
  }
});
