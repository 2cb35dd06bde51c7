import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkUpdate } from '../../src/notify/telegramUpdate.js';
import { slackMessageProblem } from '../../src/notify/slackMessage.js';
import { checkProperty, fc } from '../support/property.js';

const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(2 ** 70), fc.jsonValue({ maxDepth: 2 }));
const chat = fc.record({ id: fc.oneof(fc.integer(), junk), type: fc.oneof(fc.constantFrom('private', 'group', 'supergroup'), junk), title: fc.oneof(fc.string(), junk) }, { requiredKeys: [] });
const user = fc.record({ id: fc.oneof(fc.integer(), junk), first_name: fc.oneof(fc.string(), junk), username: fc.oneof(fc.string(), junk), is_bot: fc.oneof(fc.boolean(), junk) }, { requiredKeys: [] });
const message = fc.record({ message_id: fc.oneof(fc.nat(), junk), date: fc.oneof(fc.nat(), junk), chat: fc.oneof(chat, junk), from: fc.oneof(user, junk), text: fc.oneof(fc.string(), junk), reply_to_message: fc.oneof(fc.record({ message_id: fc.nat(), chat }), junk) }, { requiredKeys: [] });
const update = fc.record(
  {
    update_id: fc.oneof(fc.nat(), junk),
    message: fc.oneof(message, junk),
    callback_query: fc.oneof(fc.record({ id: fc.oneof(fc.string(), junk), from: fc.oneof(user, junk), data: fc.oneof(fc.string(), junk), message: fc.oneof(message, junk) }, { requiredKeys: [] }), junk),
    my_chat_member: fc.oneof(fc.record({ chat, from: user, old_chat_member: fc.oneof(fc.record({ status: fc.string() }), junk), new_chat_member: fc.oneof(fc.record({ status: fc.string() }), junk) }, { requiredKeys: [] }), junk),
  },
  { requiredKeys: [] },
);

const safeId = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value);

test('property: checkUpdate never throws; what it lets through has every field the inbox reads, of the right type', async () => {
  await checkProperty(
    'telegram update shapes',
    fc.property(fc.oneof(update, junk), (raw) => {
      const checked = checkUpdate(raw);
      if ('why' in checked) return assert.equal(typeof checked.why, 'string');
      const u = checked.update;
      assert.ok(safeId(u.update_id) && u.update_id >= 0);
      for (const m of [u.message, u.callback_query?.message, u.message?.reply_to_message]) {
        if (m === undefined) continue;
        assert.ok(safeId(m.message_id) && safeId(m.chat.id) && typeof m.chat.type === 'string');
        assert.ok(m.text === undefined || typeof m.text === 'string');
        assert.ok(m.from === undefined || safeId(m.from.id));
      }
      if (u.callback_query) assert.ok(typeof u.callback_query.id === 'string' && safeId(u.callback_query.from.id));
      if (u.my_chat_member) assert.ok(safeId(u.my_chat_member.chat.id) && typeof u.my_chat_member.new_chat_member.status === 'string');
    }),
    300,
  );
});

test('property: slackMessageProblem never throws, and a message it accepts has a ts of digits and text fields as text', async () => {
  const slackMessage = fc.record({ ts: fc.oneof(fc.constantFrom('1700000000.000100', '12'), junk), user: fc.oneof(fc.string(), junk), text: fc.oneof(fc.string(), junk), reply_count: fc.oneof(fc.nat(), junk), reactions: fc.oneof(fc.array(fc.record({ name: fc.oneof(fc.string(), junk), users: fc.oneof(fc.array(fc.string()), junk) }, { requiredKeys: [] })), junk) }, { requiredKeys: [] });
  await checkProperty(
    'slack message shapes',
    fc.property(fc.oneof(slackMessage, junk), (raw) => {
      const problem = slackMessageProblem(raw);
      if (problem !== undefined) return assert.equal(typeof problem, 'string');
      const m = raw as Record<string, unknown>;
      assert.match(String(m.ts), /^\d+(\.\d+)?$/);
      assert.ok(typeof m.ts === 'string' && (m.user === undefined || typeof m.user === 'string') && (m.text === undefined || typeof m.text === 'string'));
      for (const r of (m.reactions as { name: unknown; users?: unknown }[] | undefined) ?? []) assert.ok(typeof r.name === 'string' && (r.users === undefined || Array.isArray(r.users)));
    }),
    300,
  );
});
