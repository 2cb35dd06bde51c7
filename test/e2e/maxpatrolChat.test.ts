import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { maxPatrolProject } from '../support/maxpatrolProject.js';
import { useMaxPatrolServer } from '../support/maxpatrolServer.js';
import { uniqueBaseTime } from '../support/seed.js';
import type { FakeChat, FakeMessage } from '../support/telegramServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useMaxPatrolServer();

const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
const BOB = { id: 102, first_name: 'Bob', username: 'bob' };
const EVE = { id: 666, first_name: 'Eve', username: 'eve' };
const ADMIN = { id: 4242, first_name: 'Admin', username: 'boss' };

beforeEach(() => servers.telegram.clearQueue());

/** The labels of a message's buttons, and the callback data of the one labelled `label`. */
const buttons = (message: FakeMessage | undefined) => message?.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
const data = (message: FakeMessage, label: string) => message.reply_markup!.inline_keyboard.flat().find((b) => b.text === label)!.callback_data!;

test('a new incident reaches the two chats the administrator allowed and not a third; Confirm, Close and Refresh from chat act on the core', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  mp.tokenLifetime = 3600;
  const soc: FakeChat = { id: -1_009_100_001, type: 'supergroup', title: 'SOC' };
  const cert: FakeChat = { id: -1_009_100_002, type: 'supergroup', title: 'CERT' };
  const other: FakeChat = { id: -1_009_100_003, type: 'supergroup', title: 'Other team' };
  const admin: FakeChat = { id: ADMIN.id, type: 'private', first_name: 'Admin' };
  const { project, writeSection } = maxPatrolProject(world, servers, fake, { notify: ['soc-bot'], maxpatrol: { max_events: 2 } });
  const channels = (servers.config(world) as { channels: Record<string, unknown> }).channels;
  writeSection({}, { channels: { ...channels, 'soc-bot': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', api_url: servers.telegram.base, timeout: '3s', bot: true, admin_chat_id: ADMIN.id } } });
  const at = async (minutes: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
  };

  // The bot is added to three groups; the administrator allows two of them.
  servers.telegram.membership(soc, ALICE, 'left', 'member');
  servers.telegram.membership(cert, BOB, 'left', 'member');
  servers.telegram.membership(other, EVE, 'left', 'member');
  await at(0);
  assert.equal(servers.telegram.inChat(admin.id).length, 3, 'the administrator is asked about each chat');
  servers.telegram.say(ADMIN, admin, `/accept${soc.id}`);
  servers.telegram.say(ADMIN, admin, `/accept${cert.id}`);
  await at(1);
  assert.deepEqual(Object.keys(project.state().chats['soc-bot'].allowed).sort(), [String(cert.id), String(soc.id)].sort());

  // A new incident: one message in each allowed chat, none in the other.
  const incident = mp.addIncident({ created: T + 90_000, name: 'Beaconing from ws-17', category: 'C2', type: 'Network attack',
    events: [{ id: 'e1', date: mp.time(T + 80_000), description: 'ws-17 -> 203.0.113.9:443 every 60s' }] });
  await at(2);
  const [inSoc] = servers.telegram.inChat(soc.id);
  const [inCert] = servers.telegram.inChat(cert.id);
  assert.equal(servers.telegram.inChat(soc.id).length, 1);
  assert.equal(servers.telegram.inChat(cert.id).length, 1);
  assert.equal(servers.telegram.inChat(other.id).length, 0, 'nothing to a chat the administrator did not allow');
  for (const message of [inSoc, inCert]) {
    assert.match(message!.text, /^MaxPatrol INC-1: Beaconing from ws-17 \(High\)\nStatus New, C2 \/ Network attack/);
    assert.match(message!.text, /ws-17 -> 203\.0\.113\.9:443 every 60s/);
    assert.deepEqual(buttons(message), ['Confirm', 'Close', 'Refresh']);
  }

  // Someone in the chat that is not allowed forges a Confirm press: nothing changes on the core.
  servers.telegram.press(EVE, { ...inSoc!, chat: other }, data(inSoc!, 'Confirm'));
  // Alice confirms from the SOC chat.
  servers.telegram.press(ALICE, inSoc!, data(inSoc!, 'Confirm'));
  await at(3);
  assert.equal(incident.status, 'Approved', 'the press changed the status on the server');
  assert.deepEqual(incident.history.map((h) => [h.prevStatus, h.nextStatus, h.comment]), [['New', 'Approved', 'Confirmed by @alice (telegram 101) via alertcron']], 'once, by Alice: the forged press did nothing');
  assert.ok(project.audit().some((e) => e.event === 'chat_refused' && e.by === '@eve (telegram 666)'));
  assert.match(inSoc!.text, /✔ Confirm: @\u2060alice, .*INC-1 confirmed \(New -> Approved\)/);
  assert.deepEqual(buttons(inSoc), ['Refresh'], 'once Approved, only Refresh is offered');

  // Refresh re-reads the incident (now in work, assigned) and edits the message.
  incident.status = 'InProgress';
  incident.assigned = { id: 'u7', firstName: 'Ivan', lastName: 'Petrov' };
  servers.telegram.press(ALICE, inSoc!, data(inSoc!, 'Refresh'));
  await at(4);
  assert.match(inSoc!.text, /^MaxPatrol INC-1: Beaconing from ws-17 \(High\)\nStatus InProgress, C2 \/ Network attack, created .*, assigned to Ivan Petrov/);
  assert.deepEqual(buttons(inSoc), ['Refresh']);

  // A second incident; Bob closes it from the CERT chat: the comment names him.
  const second = mp.addIncident({ created: T + 4 * MIN + 10_000, name: 'Mass file rename on fs-02' });
  await at(5);
  const closeIn = servers.telegram.inChat(cert.id).at(-1)!;
  assert.match(closeIn.text, /^MaxPatrol INC-2: Mass file rename on fs-02/);
  servers.telegram.press(BOB, closeIn, data(closeIn, 'Close'));
  await at(6);
  assert.equal(second.status, 'Closed');
  assert.equal(second.history[0]!.comment, 'Closed by @bob (telegram 102) via alertcron');
  assert.deepEqual(buttons(closeIn), ['Refresh']);
  assert.equal(servers.telegram.inChat(other.id).length, 0);
  assert.equal(mp.logins, 1, 'runs and chat actions share the kept token');
});
