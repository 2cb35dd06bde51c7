import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { AlertBase, AskPolicy } from '../../src/model/alert.js';
import type { ChatAddress } from '../../src/model/conversation.js';
import { emptyState, type StateData } from '../../src/model/state.js';
import { createDuoClient } from '../../src/notify/duo/client.js';
import type { AskChannel, ChatReply, PersonRef } from '../../src/notify/types.js';
import { conversationStage, keepReplies, keptReplies, type AskRequest } from '../../src/run/conversations.js';
import { startDuoServer } from '../support/duoServer.js';

// The conversation stage on its own: the real Duo protocol server, and a chat kept in memory (the chat's own
// protocol is tested end to end with the Slack and Telegram servers).
const MIN = 60_000;
const duo = await startDuoServer();
after(() => duo.close());
const client = createDuoClient({ api_url: duo.base, integration_key: duo.ikey, secret_key: duo.skey, timeout: 500, push_timeout: 5 * MIN, push_type: 'alertcron' });

/** A chat in memory: people it knows, what the bot said to whom, and replies a test adds. */
function memoryChat(known: Record<string, string>) {
  const said: { chat: string; text: string }[] = [];
  const replies = new Map<string, ChatReply[]>();
  let seq = 0;
  let down = false;
  const chat: AskChannel = {
    async find(person: PersonRef) {
      if (down) throw new Error('chat unreachable');
      const user = known[person.email ?? person.name];
      return user ? { user, chat: `D-${user}` } : undefined;
    },
    async say(address: ChatAddress, text: string) {
      if (down) throw new Error('chat unreachable');
      said.push({ chat: address.chat, text });
      return String(++seq);
    },
    async replies(address: ChatAddress, after: string) {
      return (replies.get(address.chat) ?? []).filter((r) => Number(r.ref) > Number(after));
    },
  };
  return {
    chat,
    said,
    reply: (chatId: string, text: string, at: number) => replies.set(chatId, [...(replies.get(chatId) ?? []), { text, at, ref: String(++seq) }]),
    setDown: (value: boolean) => (down = value),
  };
}

const ask: AskPolicy = { person: 'user', people: { bob: { email: 'bob@example.org', duo: 'bob.duo' } }, via: 'bot', question: 'Did you run sudo?', deadline: 30 * MIN, two_factor: true, escalate: ['soc'], quiet_after_yes: 21 * 60 * MIN, links: ['https://kibana.example/x'] };
const alert = { name: 'sudo', ask } as AlertBase & { ask: AskPolicy };
const request = (person: string | undefined, key = person ?? 'nobody'): AskRequest => ({ alert: 'sudo', key, person, title: `sudo by ${person}`, message: 'ran sudo on db-3', question: 'Did you run sudo?', links: ['https://kibana.example/x'] });

async function stage(data: StateData, requests: AskRequest[], chat: AskChannel, now: number, policy: AskPolicy = ask, expired?: () => boolean) {
  let commits = 0;
  const result = await conversationStage(data, requests, {
    alerts: new Map([['sudo', { ...alert, ask: policy }]]),
    chat: async () => chat,
    duo: client,
    pushTimeout: 5 * MIN,
    commit: async () => void commits++,
    signal: () => AbortSignal.timeout(2000),
    ...(expired ? { expired } : {}),
    now,
  });
  return { ...result, commits };
}

test('yes + push allowed: confirmed, and the same alert for the same person is quiet until the quiet period ends', async () => {
  duo.users.set('bob.duo', { enrolled: true, push: 'waiting' });
  const m = memoryChat({ 'bob@example.org': 'U-BOB' });
  const data = emptyState();
  await stage(data, [request('bob')], m.chat, 0);
  assert.equal(data.conversations[0]!.state, 'asked');
  assert.match(m.said[0]!.text, /^Did you run sudo\?\n\nPlease reply yes or no .* by 1970-01-01T00:30:00Z\.$/);
  m.reply('D-U-BOB', 'yes, that was me', MIN);
  await stage(data, [], m.chat, 2 * MIN);
  assert.equal(data.conversations[0]!.state, '2fa_pending');
  assert.equal(duo.pushes.at(-1)!.username, 'bob.duo', 'the people file names the Duo user');
  duo.users.get('bob.duo')!.push = 'allow';
  const done = await stage(data, [], m.chat, 3 * MIN);
  assert.equal(data.conversations[0]!.state, 'confirmed');
  assert.deepEqual(data.conversations[0]!.history.map((h) => h.state), ['new', 'asked', 'answered_yes', '2fa_pending', 'confirmed']);
  assert.equal(data.pending.length, 0, 'nothing escalated');
  assert.ok(done.commits >= 1);
  const quiet = await stage(data, [request('bob', 'bob-again')], m.chat, 4 * MIN);
  assert.equal(data.conversations.length, 1);
  assert.equal(quiet.audit[0]!.event, 'ask_quiet');
  await stage(data, [request('bob', 'bob-later')], m.chat, 3 * MIN + 21 * 60 * MIN + 1);
  assert.equal(data.conversations.length, 2, 'asked again after the quiet period');
});

test('yes + push denied, a no, silence, an unknown person, not enrolled: each escalates once with its reason', async () => {
  duo.users.set('carol', { enrolled: true, push: 'deny' });
  duo.users.set('dave', { enrolled: false, push: 'waiting' });
  const m = memoryChat({ carol: 'U-C', erin: 'U-E', frank: 'U-F', dave: 'U-D' });
  const data = emptyState();
  await stage(data, [request('carol'), request('erin'), request('frank'), request('mallory'), request(undefined), request('dave')], m.chat, 0);
  const byKey = (key: string) => data.conversations.find((c) => c.key === key)!;
  assert.equal(byKey('mallory').state, 'escalated');
  assert.equal(byKey('mallory').reason, 'unknown_person');
  assert.equal(byKey('nobody').reason, 'unknown_person');
  m.reply('D-U-C', 'Yes', MIN);
  m.reply('D-U-E', 'no <@U0ADMIN> I was on leave', MIN);
  m.reply('D-U-D', 'y', MIN);
  m.reply('D-U-F', 'what is this about?', MIN);
  await stage(data, [], m.chat, 2 * MIN);
  assert.equal(byKey('erin').reason, 'said_no');
  assert.equal(byKey('dave').reason, 'not_enrolled');
  assert.equal(byKey('carol').state, '2fa_pending');
  assert.equal(byKey('frank').state, 'asked');
  assert.ok(m.said.some((s) => s.chat === 'D-U-F' && /did not understand/.test(s.text)));
  await stage(data, [], m.chat, 3 * MIN);
  assert.equal(byKey('carol').reason, '2fa_denied');
  await stage(data, [], m.chat, 31 * MIN);
  assert.equal(byKey('frank').reason, 'no_answer');
  const reasons = data.pending.map((p) => p.reason).sort();
  assert.deepEqual(reasons, ['ask-2fa_denied', 'ask-no_answer', 'ask-not_enrolled', 'ask-said_no', 'ask-unknown_person', 'ask-unknown_person']);
  assert.ok(data.pending.every((p) => p.channel === 'soc'));
  const no = data.pending.find((p) => p.reason === 'ask-said_no')!;
  assert.match(no.message, /Answer at 1970-01-01T00:01:00Z: "no \(at\)U0ADMIN I was on leave" \(read as no\)/);
  await stage(data, [], m.chat, 60 * MIN);
  assert.equal(data.pending.length, 6, 'closed conversations never escalate twice');
});

test('an unanswered push times out; a chat that cannot be reached keeps the conversation until the deadline, then escalates', async () => {
  duo.users.set('gina', { enrolled: true, push: 'waiting' });
  const m = memoryChat({ gina: 'U-G', hank: 'U-H' });
  const data = emptyState();
  await stage(data, [request('gina')], m.chat, 0);
  m.reply('D-U-G', 'yes', MIN);
  await stage(data, [], m.chat, MIN);
  await stage(data, [], m.chat, 5 * MIN);
  assert.equal(data.conversations[0]!.state, '2fa_pending');
  await stage(data, [], m.chat, 6 * MIN + 1);
  assert.equal(data.conversations[0]!.reason, '2fa_timed_out');
  m.setDown(true);
  const first = await stage(data, [request('hank')], m.chat, 0);
  const hank = data.conversations.find((c) => c.key === 'hank')!;
  assert.equal(hank.state, 'new');
  assert.match(first.warnings.join('\n'), /could not ask hank on bot yet: chat unreachable/);
  await stage(data, [], m.chat, 30 * MIN);
  assert.equal(hank.reason, 'no_answer');
  assert.match(data.pending.at(-1)!.message, /Not asked on bot: chat unreachable/);
});

test('without 2FA a yes closes at once', async () => {
  const m = memoryChat({ ivy: 'U-I' });
  const data = emptyState();
  await stage(data, [request('ivy')], m.chat, 0, { ...ask, two_factor: false });
  m.reply('D-U-I', 'yep', MIN);
  await stage(data, [], m.chat, 2 * MIN, { ...ask, two_factor: false });
  assert.equal(data.conversations[0]!.state, 'confirmed');
  assert.equal(m.said.at(-1)!.text, 'Thank you, noted. Nothing more to do.');
});

test('private messages an inbox read are kept on the conversation they answer (a kill after the inbox cursor moved loses none), then consumed', async () => {
  const m = memoryChat({ jo: 'U-J' });
  const data = emptyState();
  await stage(data, [request('jo')], m.chat, 0, { ...ask, two_factor: false });
  const jo = data.conversations[0]!;
  const messages = [
    { channel: 'bot', user: 'U-J', chat: 'D-U-J', text: 'yes', date: 60, messageId: '900' },
    { channel: 'bot', user: 'U-X', chat: 'D-U-X', text: 'no', date: 60, messageId: '901' },
    { channel: 'other', user: 'U-J', chat: 'D-U-J', text: 'no', date: 60, messageId: '902' },
  ];
  assert.equal(keepReplies(data, messages), 1);
  assert.equal(keepReplies(data, messages), 0, 'read twice (a repeated getUpdates), kept once');
  assert.deepEqual(keptReplies(data, 'bot'), [{ chat: 'D-U-J', user: 'U-J', text: 'yes', at: 60_000, ref: '900' }]);
  const kept: AskChannel = { ...m.chat, replies: async (address, after) => keptReplies(data, 'bot').filter((r) => r.chat === address.chat && Number(r.ref) > Number(after)) };
  await stage(data, [], kept, MIN, { ...ask, two_factor: false });
  assert.equal(jo.state, 'confirmed');
  assert.equal(jo.answer!.text, 'yes');
  assert.equal(jo.received, undefined, 'consumed');
});

test('a kept reply to the second question survives a run whose time ran out after the first question (kept on each open question of the person)', async () => {
  const m = memoryChat({ lee: 'U-L' });
  const data = emptyState();
  const noTwoFactor = { ...ask, two_factor: false };
  await stage(data, [request('lee', 'db-1'), request('lee', 'db-2')], m.chat, 0, noTwoFactor);
  const [first, second] = data.conversations;
  assert.equal(second!.state, 'asked');
  keepReplies(data, [{ channel: 'bot', user: 'U-L', chat: 'D-U-L', text: 'yes', date: 60, messageId: '900', replyTo: second!.questionRef! }]);
  const kept: AskChannel = { ...m.chat, replies: async (address, after) => keptReplies(data, 'bot').filter((r) => r.chat === address.chat && Number(r.ref) > Number(after)) };
  let checks = 0;
  const late = await stage(data, [], kept, MIN, noTwoFactor, () => checks++ > 0);
  assert.match(late.warnings.join('\n'), /1 conversation\(s\) wait for the next run/);
  assert.equal(first!.state, 'asked', 'the reply is not the first question\'s');
  assert.equal(second!.state, 'asked', 'the second question\'s turn did not come');
  await stage(data, [], kept, 2 * MIN, noTwoFactor);
  assert.equal(second!.state, 'confirmed', 'the reply to the second question was kept for it');
  assert.equal(first!.state, 'asked');
  assert.equal(data.pending.length, 0, 'nothing escalated');
});

test('the last words to the person are sent by a later run when the chat failed when the conversation closed', async () => {
  const m = memoryChat({ kim: 'U-K' });
  const data = emptyState();
  await stage(data, [request('kim')], m.chat, 0);
  m.reply('D-U-K', 'no', MIN);
  const sayOnce = m.chat.say;
  m.chat.say = async () => {
    throw new Error('chat down');
  };
  const failed = await stage(data, [], m.chat, 2 * MIN);
  assert.equal(data.conversations[0]!.reason, 'said_no');
  assert.match(failed.warnings.join('\n'), /could not write to kim on bot: chat down \(tried again next run\)/);
  m.chat.say = sayOnce;
  await stage(data, [], m.chat, 3 * MIN);
  assert.equal(data.conversations[0]!.outbox, undefined);
  assert.match(m.said.at(-1)!.text, /security team has been told/);
  assert.equal(data.pending.length, 1, 'escalated once');
});

test('a chat that cannot even be set up every run still escalates the unanswered question at the deadline', async () => {
  const m = memoryChat({ 'bob@example.org': 'U-BOB' });
  const data = emptyState();
  await stage(data, [request('bob')], m.chat, 0, { ...ask, two_factor: false });
  assert.equal(data.conversations[0]!.state, 'asked');
  const broken = async () => {
    throw new Error('channel bot: TELEGRAM_TOKEN is not set');
  };
  const run = (now: number) =>
    conversationStage(data, [], { alerts: new Map([['sudo', { ...alert, ask: { ...ask, two_factor: false } }]]), chat: broken, duo: client, pushTimeout: 5 * MIN, commit: async () => {}, signal: () => AbortSignal.timeout(2000), now });
  const early = await run(10 * MIN);
  assert.equal(data.conversations[0]!.state, 'asked');
  assert.match(early.warnings.join('\n'), /TELEGRAM_TOKEN is not set/);
  await run(31 * MIN);
  assert.equal(data.conversations[0]!.state, 'escalated', 'the deadline escalates even though the chat never came up');
  assert.equal(data.conversations[0]!.reason, 'no_answer');
  assert.deepEqual(data.pending.map((p) => p.channel), ['soc']);
});

test('a question that could not be asked because the chat never comes up escalates at the deadline', async () => {
  const data = emptyState();
  const broken = async () => {
    throw new Error('channel bot: TELEGRAM_TOKEN is not set');
  };
  const policy = { ...ask, two_factor: false };
  const run = (requests: AskRequest[], now: number) =>
    conversationStage(data, requests, { alerts: new Map([['sudo', { ...alert, ask: policy }]]), chat: broken, duo: client, pushTimeout: 5 * MIN, commit: async () => {}, signal: () => AbortSignal.timeout(2000), now });
  await run([request('bob')], 0);
  assert.equal(data.conversations[0]!.state, 'new');
  await run([], 31 * MIN);
  assert.equal(data.conversations[0]!.state, 'escalated');
  assert.deepEqual(data.pending.map((p) => p.channel), ['soc']);
});

test('an open conversation whose alert was deleted is named in the warnings of every run, not left in silence', async () => {
  const m = memoryChat({ 'bob@example.org': 'U-BOB' });
  const data = emptyState();
  await stage(data, [request('bob')], m.chat, 0);
  const result = await conversationStage(data, [], { alerts: new Map(), chat: async () => m.chat, duo: client, pushTimeout: 5 * MIN, commit: async () => {}, signal: () => AbortSignal.timeout(2000), now: MIN });
  assert.match(result.warnings.join('\n'), /conversation sudo\/bob: its alert is deleted, disabled, invalid or has no ask/);
});
