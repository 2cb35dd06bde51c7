import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import fc from 'fast-check';
import { useChannelServers } from '../support/channelWorld.js';
import { isChatId } from '../../src/notify/telegramChatId.js';
import { REPO_ROOT, runCli } from '../support/project.js';
import { checkProperty } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import type { FakeChat } from '../support/telegramServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const world = useWorld();
const servers = useChannelServers();
const ADMIN = { id: 4343, first_name: 'Admin', username: 'boss' };
const adminChat: FakeChat = { id: ADMIN.id, type: 'private', first_name: 'Admin' };

beforeEach(() => servers.telegram.clearQueue());

/**
 * A project with a Telegram bot run by an administrator (no fixed chat_id) and one alert; `events` logons to root
 * make it fire (notices then go to the allowed chats).
 */
async function adminProject(events = 0) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-tgjoin');
  if (events) await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07' })]);
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', admin_chat_id: String(ADMIN.id), api_url: servers.telegram.base, timeout: '3s', bot: true };
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0 });
  const run = (at: number) => p.run(['run'], { ALERTCRON_NOW: iso(at) });
  const chats = () => p.state().chats?.['team-bot'] ?? { allowed: {}, requested: {}, banned: {} };
  return { T, p, run, chats };
}

/** The messages the administrator received after the first `from` of them. */
const adminMessages = (from: number) => servers.telegram.inChat(ADMIN.id).slice(from).map((m) => m.text.replaceAll('\u2060', ''));

test('300 /start in one run: at most 5 join requests reach the administrator, the rest in one summary; the waiting list holds 50 and forgets after 7 days', async () => {
  const { T, run, chats, p } = await adminProject();
  for (let i = 0; i < 300; i++) servers.telegram.say({ id: 5_000_000 + i, first_name: `Bot${i}` }, { id: 5_000_000 + i, type: 'private', first_name: `Bot${i}` }, '/start');
  const before = servers.telegram.inChat(ADMIN.id).length;
  const first = await run(T);
  assert.equal(first.code, 0, first.stderr);
  const got = adminMessages(before);
  assert.equal(got.filter((t) => t.startsWith('New private chat')).length, 5, got.join('\n---\n'));
  assert.equal(got.length, 6, 'five requests and one summary');
  assert.equal(got.at(-1), [
    '295 more chat(s) asked to receive alerts:',
    '45 are on the waiting list: /waiting lists them, /accept<id> allows one, /deny<id> drops one',
    '250 were turned away: the waiting list holds at most 50 chats (a request is forgotten after 7 days); they can send /start again later',
  ].join('\n'));
  assert.equal(Object.keys(chats().requested).length, 50);
  assert.equal(servers.telegram.queued(), 0, 'every update was read in the run');

  // More in the next run: no request message (the list is full) and no second summary within the hour.
  for (let i = 300; i < 310; i++) servers.telegram.say({ id: 5_000_000 + i, first_name: `Bot${i}` }, { id: 5_000_000 + i, type: 'private', first_name: `Bot${i}` }, '/start');
  const second = servers.telegram.inChat(ADMIN.id).length;
  assert.equal((await run(T + MIN)).code, 0);
  assert.deepEqual(adminMessages(second), []);
  assert.equal(Object.keys(chats().requested).length, 50);
  // An hour on, the count of those is summarised once.
  const third = servers.telegram.inChat(ADMIN.id).length;
  assert.equal((await run(T + 61 * MIN)).code, 0);
  assert.deepEqual(adminMessages(third), ['10 more chat(s) asked to receive alerts:\n10 were turned away: the waiting list holds at most 50 chats (a request is forgotten after 7 days); they can send /start again later']);

  // /waiting lists them (bounded), /accepted points at it.
  servers.telegram.say(ADMIN, adminChat, '/waiting');
  const fourth = servers.telegram.inChat(ADMIN.id).length;
  assert.equal((await run(T + 62 * MIN)).code, 0);
  const [listed] = adminMessages(fourth);
  assert.match(listed!, /^waiting chats \(50 of at most 50; \/accept<id> or \/deny<id>\):\n5000000 {2}Bot0 /);
  assert.match(listed!, /\n\.\.\. and 20 more$/);

  // Seven days on, the requests are forgotten: a chat may ask again.
  assert.equal((await run(T + 7 * DAY + 63 * MIN)).code, 0);
  assert.equal(Object.keys(chats().requested).length, 0);
  assert.equal(p.audit().filter((e) => e.event === 'chat_request_expired').length, 50);
});

test('/accept of an id that cannot be a chat (-0, 30 digits, out of Telegram\'s range, leading zero) is refused with a clear message; the allow-list is unchanged', async () => {
  const { T, run, chats } = await adminProject();
  const bad = ['-0', '123456789012345678901234567890', '-4000000000001', '1099511627776', '0123', '0', 'abc'];
  for (const id of bad) servers.telegram.say(ADMIN, adminChat, `/accept${id.startsWith('-') ? '' : ' '}${id}`);
  const before = servers.telegram.inChat(ADMIN.id).length;
  const result = await run(T);
  assert.equal(result.code, 0, result.stderr);
  const replies = adminMessages(before);
  assert.equal(replies.length, bad.length, replies.join('\n'));
  for (const [i, id] of bad.entries()) {
    assert.equal(replies[i], `${id} is not a Telegram chat id: a chat id is a whole number from -4000000000000 to 1099511627775, not 0, without leading zeros (e.g. /accept-1001234 for a group, /accept123456789 for a person)`);
  }
  assert.deepEqual(chats().allowed, {});
  assert.deepEqual(servers.telegram.chatLookups.filter((id) => bad.includes(String(id))), [], 'Telegram was not even asked');
});

test('a chat Telegram does not know (400 "chat not found") is reported to the administrator: refused at /accept, and taken off the list when a delivery finds it gone', async () => {
  const { T, run, chats } = await adminProject(1);
  const ghost = 7_700_000_001;
  const group: FakeChat = { id: -1_007_700_000_002, type: 'supergroup', title: 'Night shift' };
  servers.telegram.missingChats.add(ghost);
  servers.telegram.say(ADMIN, adminChat, `/accept${ghost}`);
  servers.telegram.say(ADMIN, adminChat, `/accept${group.id}`);
  const before = servers.telegram.inChat(ADMIN.id).length;
  const first = await run(T);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(adminMessages(before), [
    `chat ${ghost} is not allowed: Telegram answered "Bad Request: chat not found" (a person must send /start to the bot first; for a group, add the bot to it; then ask again)`,
    `allowed ${group.id} (${group.id}): it gets alerts from now on`,
  ]);
  assert.deepEqual(Object.keys(chats().allowed), [String(group.id)]);
  assert.equal(servers.telegram.inChat(group.id).length, 1, 'the allowed group got the notice');

  // The group is deleted: its next notice answers 400 chat not found; it leaves the list and the administrator is told once.
  servers.telegram.missingChats.add(group.id);
  const second = servers.telegram.inChat(ADMIN.id).length;
  await run(T + 6 * MIN);
  assert.deepEqual(adminMessages(second), [`${group.id} (${group.id}) was taken off the allowed chats: Telegram answered "Bad Request: chat not found" to an alert (a person must send /start to the bot first; for a group, add the bot to it; then ask again)`]);
  assert.deepEqual(chats().allowed, {});
});

test('generated /accept arguments and /start senders: no internal error, only real chat ids are allowed, the waiting list and the administrator\'s messages stay bounded', async () => {
  const { T, run, chats } = await adminProject();
  let minute = 0;
  const idText = fc.oneof(
    fc.integer({ min: -4_000_000_000_000, max: 1_099_511_627_775 }).map(String),
    fc.bigInt({ min: -(10n ** 31n), max: 10n ** 31n }).map(String),
    fc.constantFrom('-0', '0', '00', '+5', '1e3', '-', '--1', '0x10', '١٢٣', '9'.repeat(400)),
    fc.string({ maxLength: 20 }).filter((s) => !/\s/.test(s)),
  );
  const sender = fc.oneof(fc.integer({ min: 1, max: 1_099_511_627_775 }), fc.constantFrom(0, -1, 1e30, 2 ** 53 + 1, -4_000_000_000_001));
  await checkProperty(
    'telegram admin: /accept arguments and /start senders',
    fc.asyncProperty(fc.array(idText, { maxLength: 5 }), fc.array(fc.record({ id: sender, name: fc.string({ maxLength: 30 }) }), { maxLength: 80 }), async (accepts, starts) => {
        for (const id of accepts) servers.telegram.say(ADMIN, adminChat, `/accept ${id}`);
        for (const s of starts) servers.telegram.say({ id: s.id, first_name: s.name }, { id: s.id, type: 'private', first_name: s.name }, '/start');
        const before = servers.telegram.inChat(ADMIN.id).length;
        const result = await run(T + minute++ * MIN);
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stderr, /internal error|TypeError|at .*\.js:\d+/);
        const c = chats();
        assert.ok(Object.keys(c.requested).length <= 50, 'the waiting list is bounded');
        for (const id of Object.keys(c.allowed)) assert.match(id, /^-?[1-9]\d{0,15}$/, `${id} is no chat id`);
        for (const id of [...Object.keys(c.allowed), ...Object.keys(c.requested)]) assert.ok(Number(id) >= -4_000_000_000_000 && Number(id) <= 1_099_511_627_775, `${id} is out of range`);
        const requests = adminMessages(before).filter((t) => t.startsWith('New private chat'));
        assert.ok(requests.length <= 5, `${requests.length} join requests in one run`);
        assert.ok(adminMessages(before).length <= 5 + 1 + accepts.length, 'the administrator gets the requests, one summary and the answers');
      }),
    10,
  );
});

test('alertcron.yaml: a chat_id or admin_chat_id that cannot be a chat (0, -0, 30 digits, out of range) is refused by validate at its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-chatids-'));
  try {
    writeFileSync(join(dir, 'alertcron.yaml'), [
      'elasticsearch: { url: "http://127.0.0.1:9" }',
      'channels:',
      '  a: { type: telegram, bot_token: "${T}", chat_id: 0 }',
      '  b: { type: telegram, bot_token: "${T}", admin_chat_id: "0123" }',
      '  c: { type: telegram, bot_token: "${T}", chat_id: 123456789012345678901234567890 }',
      '  d: { type: telegram, bot_token: "${T}", chat_id: "-4000000000001" }',
      '  e: { type: telegram, bot_token: "${T}", chat_id: -1001234567890, admin_chat_id: 4242 }',
      '  f: { type: telegram, bot_token: "${T}", chat_id: "@mychannel" }',
      '',
    ].join('\n'));
    const result = await runCli(['validate'], dir, { T: 'token' });
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n').filter((l) => l.startsWith('alertcron.yaml')), [
      'alertcron.yaml:3:52 /channels/a/chat_id: must be other than 0 or a string',
      'alertcron.yaml:4:58 /channels/b/admin_chat_id: must be an integer or a chat id as text ("4242")',
      'alertcron.yaml:5:52 /channels/c/chat_id: must be at most 1099511627775 or a string',
      'alertcron.yaml:6:52 /channels/d/chat_id: must be an integer or a chat id as text ("-1001234") or @channelname',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the schema\'s chat id pattern and the /accept check agree on any number written as text', async () => {
  const patterns: RegExp[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (!node || typeof node !== 'object') return;
    const anyOf = (node as { anyOf?: { pattern?: string; description?: string }[] }).anyOf;
    // The settings' own patterns (described), not the `^-` of the rule that a group admin chat needs admin_users.
    if ((key === 'chat_id' || key === 'admin_chat_id') && anyOf) for (const branch of anyOf) if (branch.pattern && branch.description) patterns.push(new RegExp(branch.pattern, 'u'));
    for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(JSON.parse(readFileSync(join(REPO_ROOT, 'src', 'config', 'schemas', 'alertcron.schema.json'), 'utf8')));
  assert.ok(patterns.length >= 2, 'chat_id and admin_chat_id patterns found');
  const text = fc.oneof(
    fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }).map(String),
    fc.bigInt({ min: -4_000_000_001_000n, max: -3_999_999_999_000n }).map(String),
    fc.bigInt({ min: 1_099_511_627_000n, max: 1_099_511_628_500n }).map(String),
    fc.constantFrom('-0', '0', '007', '+1', ''),
  );
  await checkProperty(
    'schema chat id pattern = isChatId',
    fc.property(text, (id) => {
      for (const pattern of patterns) assert.equal(pattern.test(id), isChatId(id), `${pattern} on ${id}`);
    }),
    1000,
  );
});
