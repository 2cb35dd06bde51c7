import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { alertHeldBy, hostRoles, useHostPairs } from '../support/hostPair.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import type { FakeChat } from '../support/telegramServer.js';
import { useWorld } from '../support/world.js';

// Two hosts share a Telegram bot with an administrator: the host that is not the coordinator delivers to allowed
// chats that became unreachable or were upgraded to a supergroup. Only the coordinator writes the chats: the
// change is queued for it, applied once, and the administrator is told once.
const world = useWorld();
const servers = useChannelServers();
const pairOf = useHostPairs(world);
const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
const { coordinator, other } = hostRoles();

beforeEach(() => servers.telegram.clearQueue());

test('a non-coordinator host delivering to an allowed chat that blocked the bot, or became a supergroup: the allow-list changes once (by the coordinator), the administrator is told once', { timeout: 240_000 }, async () => {
  const group: FakeChat = { id: -1_009_710_001, type: 'supergroup', title: 'SOC' };
  const admin = 9_710_002;
  const dead: FakeChat = { id: -1_009_710_003, type: 'supergroup', title: 'Night shift' };
  const old: FakeChat = { id: -9_710_004, type: 'group', title: 'Old group' };
  const upgradedId = -1_009_710_005;
  const T = uniqueBaseTime();
  const index = await world.index('hosts-chat-allow');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'u0')]);
  const far = alertHeldBy(other, 'far');
  const pair = await pairOf({
    T,
    alerts: { [far]: { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot'], throttle: '2m', lookback: '15m', title: 'Far logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0 } },
    env: servers.secrets,
    config: (host) => {
      const base = servers.config(world) as { channels: Record<string, unknown> };
      return { ...base, channels: { ...base.channels, 'team-bot': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, admin_chat_id: String(admin), api_url: `${servers.telegram.base}/via-${host}`, timeout: '3s', bot: true, allowed_users: [ALICE.id] } } };
    },
  });
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  // The administrator allowed both chats earlier (as the Allow button would have, in the coordinator's meta document).
  const entry = (chat: FakeChat) => ({ id: String(chat.id), title: chat.title, kind: chat.type, at: T - 3_600_000, by: 'admin' });
  const update = await fetch(`${world.esUrl}/${pair.shared}/_update/meta:state?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ doc: { body: { chats: { 'team-bot': { allowed: { [String(dead.id)]: entry(dead), [String(old.id)]: entry(old) }, requested: {}, banned: {} } } } } }),
  });
  assert.equal(update.status, 200, await update.text());
  servers.telegram.blockedChats.add(dead.id);
  servers.telegram.migrate(old, upgradedId);
  servers.telegram.clearQueue(); // the migration's service messages: only the delivery meets the upgrade here

  for (let minute = 0; minute <= 4; minute++) await pair.minute(minute);

  const told = servers.telegram.inChat(admin).filter((m) => m.text.includes('taken off the allowed chats'));
  assert.equal(told.length, 1, `the administrator told once: ${told.map((m) => m.text).join(' | ')}`);
  assert.match(told[0]!.text, /Night shift \(-1009710003\)/);
  assert.ok(servers.telegram.inChat(upgradedId).filter((m) => m.text.includes('Far logon: u0')).length >= 2, 'the upgraded group got the first notice and its repeats at its new id');
  const docs = await pair.docs();
  const chats = docs.get('meta:state')!._source.body.chats['team-bot'];
  assert.deepEqual(Object.keys(chats.allowed).sort(), [String(upgradedId)], 'the coordinator took the dead chat off and moved the group to its new id');
  assert.equal(chats.allowed[String(upgradedId)].kind, 'supergroup');
  assert.deepEqual([...docs.keys()].filter((id) => id.startsWith('op:')), [], 'the queued changes were deleted once applied');
  const changes = pair.audit().filter((e) => e.event === 'chat_allow_list' && e.channel === 'team-bot');
  assert.deepEqual(changes.map((e) => `${e.change} ${e.chat}`).sort(), [`moved ${old.id}`, `unreachable ${dead.id}`], `each change applied once: ${JSON.stringify(changes)}`);
});
