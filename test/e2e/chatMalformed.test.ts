import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { slackAppProject, telegramBotProject, useSlackApiServer } from '../support/chatProjects.js';
import { checkProperty, fc } from '../support/property.js';
import type { FakeChat } from '../support/telegramServer.js';
import { useWorld } from '../support/world.js';

// Issue 22.5: one malformed update (Telegram) or message (Slack) is skipped and audited; the valid actions beside it
// are applied once and the cursor moves past it.

const world = useWorld();
const servers = useChannelServers();
const slack = useSlackApiServer();
beforeEach(() => servers.telegram.clearQueue());

const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
let nextGroup = 1;
const newGroup = (): FakeChat => ({ id: -1_009_500_000 - nextGroup++, type: 'supergroup', title: 'SOC' });

/** A project whose alert fired once to a Telegram bot channel in `group` where Alice may act: the notice and its reference. */
async function botProject(group: FakeChat) {
  const project = await telegramBotProject(world, servers, group, { allowed_users: [ALICE.id] });
  const notice = project.notices[0]!;
  const ref = notice.reply_markup!.inline_keyboard[0]![0]!.callback_data!.split(':')[0]!;
  return { ...project, notice, ref };
}

/** Updates of the wrong shape, as a broken proxy or a future Bot API could send them. */
function badUpdates(group: FakeChat, ref: string, messageId: number): Record<string, unknown>[] {
  const from = { ...ALICE, is_bot: false };
  return [
    { message: { message_id: 9001, date: 1, from, text: `/ack ${ref}` } }, // no chat
    { message: { message_id: 9002, date: 1, chat: group, from, text: 12345 } }, // text is a number
    { callback_query: { id: 'q-no-from', data: `${ref}:ack`, message: { message_id: messageId, date: 1, chat: group } } }, // no from
    { callback_query: { id: 'q-bad-msg', from, data: `${ref}:ack`, message: { message_id: messageId, date: 1 } } }, // a message with no chat
    { message: { message_id: 9003, date: 1, chat: { id: 2 ** 70, type: 'group' }, from, text: `/ack ${ref}` } }, // a huge chat id
    { message: null },
    { callback_query: null, message: { chat: null } },
    { my_chat_member: { chat: group, date: 1, old_chat_member: null, new_chat_member: { status: 'member' } } },
  ];
}

test('malformed Telegram updates are skipped and audited; the valid press and command in the same page are applied once and the cursor moves past all', async () => {
  const group = newGroup();
  const { p, run, notice, ref } = await botProject(group);
  const bad = badUpdates(group, ref, notice.message_id);
  servers.telegram.inject(bad[0]!);
  servers.telegram.inject(bad[1]!);
  const press = servers.telegram.press(ALICE, notice, `${ref}:silence`);
  for (const update of bad.slice(2)) servers.telegram.inject(update);
  servers.telegram.say(ALICE, group, `/ack ${ref}`);
  const last = Math.max(...(servers.telegram.queuedIds() as number[]));
  await run(1);
  const state = p.state();
  assert.ok(state.alerts.admins.keys.root.acknowledged, 'the /ack after the bad updates was applied');
  assert.equal(state.silences.length, 1, 'the press between them was applied');
  assert.ok(servers.telegram.answers.some((a) => a.id === press && /Silence 1h/.test(a.text)), 'the press was answered');
  const skipped = p.audit().filter((e) => e.event === 'chat_update_skipped');
  assert.equal(skipped.length, bad.length, 'each bad update is audited once');
  assert.ok(skipped.some((e) => /chat/.test(String(e.why))));
  assert.equal(p.state().cursors['team-bot'], last + 1, 'the stored offset is past every update, the bad ones too');
  // The next run reads nothing again: each action was applied once.
  await run(2);
  assert.equal(p.audit().filter((e) => e.event === 'chat_action').length, 2);
  assert.equal(p.audit().filter((e) => e.event === 'chat_update_skipped').length, bad.length);
});

/** Arbitrary JSON-ish values in the places alertcron reads. */
const junk = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(2 ** 70), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));

test('property: random pages of Telegram updates mixing valid actions and garbage: every valid action is applied exactly once, the cursor advances, no internal error', async () => {
  const group = newGroup();
  const { p, run, notice, ref } = await botProject(group);
  let minute = 1;
  const garbage = (messageId: number) =>
    fc.oneof(
      fc.constantFrom(...badUpdates(group, ref, messageId)),
      junk.map((value) => ({ message: value })),
      junk.map((value) => ({ callback_query: value })),
      fc.record({ field: fc.constantFrom('chat', 'from', 'text', 'message_id', 'reply_to_message'), value: junk }).map(({ field, value }) => ({ message: { message_id: 77, date: 1, chat: group, from: { ...ALICE, is_bot: false }, text: 'hello', [field]: value } })),
      fc.record({ field: fc.constantFrom('from', 'message', 'data', 'id'), value: junk }).map(({ field, value }) => ({ callback_query: { id: 'q', from: { ...ALICE, is_bot: false }, data: `${ref}:nothing`, message: { message_id: messageId, date: 1, chat: group }, [field]: value } })),
    );
  await checkProperty(
    'telegram pages with garbage',
    fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom('press', 'command'), garbage(notice.message_id)), { minLength: 1, maxLength: 12 }), async (page) => {
      servers.telegram.clearQueue();
      const before = p.audit().filter((e) => e.event === 'chat_action').length;
      let valid = 0;
      for (const item of page) {
        if (item === 'press') servers.telegram.press(ALICE, notice, `${ref}:silence`);
        else if (item === 'command') servers.telegram.say(ALICE, group, `/silence ${ref} 1h`);
        else servers.telegram.inject(item as Record<string, unknown>);
        if (typeof item === 'string') valid++;
      }
      const last = Math.max(...(servers.telegram.queuedIds() as number[]));
      await run(minute++);
      const actions = p.audit().filter((e) => e.event === 'chat_action');
      assert.equal(actions.length - before, valid, 'every valid action applied exactly once');
      assert.ok(actions.slice(before).every((e) => e.ok === true));
      assert.equal(p.state().cursors['team-bot'], last + 1, 'the cursor moved past every update');
    }),
    10,
  );
});

let nextChannel = 1;
const slackProject = () => slackAppProject(world, slack.server, `C0BAD${nextChannel++}`);

const badSlackMessages = [
  { type: 'message', text: 'no ts', user: 'U0ALICE' },
  { type: 'message', ts: 12.5, user: 'U0ALICE', text: 'ack' },
  { type: 'message', ts: '1.000001', user: 7, text: 'ack' },
  { type: 'message', ts: '1.000002', user: 'U0ALICE', text: { ack: true } },
  { type: 'message', ts: '1.000003', reactions: [{ name: 'white_check_mark', users: 'U0ALICE' }] },
  { type: 'message', ts: '1.000004', reactions: 'lots', reply_count: 'many' },
  null,
  'a string',
];

test('malformed Slack messages in a history or thread are skipped and audited; the valid reply and reaction beside them are applied once', async () => {
  const { p, run, channel, notice } = await slackProject();
  slack.server.garbage.set(channel, badSlackMessages);
  slack.server.react(channel, notice.ts, 'white_check_mark', 'U0ALICE');
  slack.server.reply(channel, notice.ts, 'U0ALICE', 'silence 2h');
  await run(1);
  const state = p.state();
  assert.ok(state.alerts.admins.keys.root.acknowledged, 'the reaction was applied');
  assert.equal(state.silences.length, 1, 'the reply was applied');
  assert.ok(p.audit().some((e) => e.event === 'chat_update_skipped' && /ts/.test(String(e.why))));
  await run(2);
  assert.equal(p.audit().filter((e) => e.event === 'chat_action').length, 2, 'nothing applied twice');
  slack.server.garbage.delete(channel);
});

test('property: random Slack histories and threads mixing valid replies and garbage: every valid reply is applied exactly once, no internal error', async () => {
  const { p, run, channel, notice } = await slackProject();
  let minute = 1;
  const garbage = fc.oneof(
    fc.constantFrom(...badSlackMessages),
    junk,
    fc.record({ field: fc.constantFrom('ts', 'user', 'text', 'reactions', 'reply_count', 'subtype', 'thread_ts'), value: junk }).map(({ field, value }) => ({ type: 'message', ts: '1.000009', user: 'U0ALICE', text: 'thanks', [field]: value })),
  );
  await checkProperty(
    'slack histories with garbage',
    fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(garbage, { maxLength: 6 }), async (replies, junkMessages) => {
      slack.server.garbage.set(channel, junkMessages);
      const before = p.audit().filter((e) => e.event === 'chat_action').length;
      const added = Array.from({ length: replies }, () => slack.server.reply(channel, notice.ts, 'U0ALICE', 'silence 1h').ts);
      await run(minute++);
      const actions = p.audit().filter((e) => e.event === 'chat_action');
      assert.equal(actions.length - before, replies, 'every valid reply applied exactly once');
      // The cursor advances: the thread is read up to the last reply (the bot's confirmations come after Alice's).
      const lastReply = p.state().cursors['ops-slack'].seen[notice.ts].lastReply;
      if (added.length) assert.ok(Number(lastReply) >= Number(added.at(-1)), `${lastReply} < ${added.at(-1)}`);
    }),
    10,
  );
  slack.server.garbage.delete(channel);
});
