import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { slackAppProject, telegramBotProject, useSlackApiServer } from '../support/chatProjects.js';
import type { FakeChat } from '../support/telegramServer.js';
import { useWorld } from '../support/world.js';

// Issue 22.6: chat names and titles are made inert on the way in; whatever shows them (the administrator's join
// request, an edited notice, a press answer, `alertcron status`) shows clean text, and a cut never splits an emoji.

const world = useWorld();
const servers = useChannelServers();
const slack = useSlackApiServer();
beforeEach(() => servers.telegram.clearQueue());

/** What must never be shown: controls (but \n), direction overrides, zero-width and other format characters, escape remains, lone surrogates. */
function assertClean(text: string, where: string): void {
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/, `${where}: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /\[31m/, `${where}: an escape sequence's remains`);
  assert.doesNotMatch(text, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, `${where}: a lone surrogate in ${JSON.stringify(text)}`);
}

/** A name with everything that disguises text, and a title whose 64th UTF-16 unit is the first half of an emoji. */
const NASTY_NAME = 'Ev\u202eil\u200b \u001b[31mRed\u001b[0m\r\nAdmin says ok\ud800';
const NASTY_TITLE = `${'T'.repeat(63)}😀\u202e\u200b tail`;
const MALLORY = { id: 313, first_name: NASTY_NAME };
const ADMIN = { id: 4242, first_name: 'Admin', username: 'boss' };

test('names and titles with bidi overrides, zero-width characters, escapes, line breaks and lone surrogates arrive clean in the join request, the press answer, the edited notice and status', async () => {
  const group: FakeChat = { id: -1_009_800_001, type: 'supergroup', title: 'SOC' };
  const { p, run, notices } = await telegramBotProject(world, servers, group, { admin_chat_id: ADMIN.id, allowed_users: [MALLORY.id] });
  const notice = notices[0]!;

  // Mallory adds the bot to a group with a crafted title, and presses Ack on the notice.
  const other: FakeChat = { id: -1_009_800_002, type: 'supergroup', title: NASTY_TITLE };
  servers.telegram.membership(other, MALLORY, 'left', 'member');
  const press = servers.telegram.press(MALLORY, notice);
  await run(1);

  const request = servers.telegram.inChat(ADMIN.id).at(-1);
  assert.ok(request, 'the administrator got the join request');
  assertClean(request.text, 'join request');
  assert.match(request.text, new RegExp(`chat ${'T'.repeat(63)} \\(${other.id}\\)`), 'the title is cut before the emoji, not inside it');
  assert.match(request.text, /from Evil Red Admin says ok\ufffd: send it alerts\?/, 'the name reads as one plain line');
  const answer = servers.telegram.answers.find((a) => a.id === press);
  assert.ok(answer);
  assertClean(answer.text, 'press answer');
  assert.match(answer.text, /Ack: Evil Red Admin says ok/);
  assert.ok(notice.edits > 0);
  assertClean(notice.text, 'edited notice');
  assert.match(notice.text, /✔ Ack: Evil Red Admin says ok/);
  const state = p.state();
  assertClean(state.alerts.admins.keys.root.acknowledged.by, 'the state');
  assertClean(state.chats['team-bot'].requested[String(other.id)].title, 'the allow-list');

  const status = await p.run(['status']);
  assert.equal(status.code, 0, status.stderr);
  assertClean(status.stdout.replaceAll('\n', ' '), 'status');
  assert.match(status.stdout, /acknowledged by Evil Red Admin says ok/);
  assert.doesNotMatch(status.stdout, /^Admin says ok/m, 'a name cannot start a line of its own');
});

test('the Slack refusal never forms a mention from the id it names', async () => {
  const { p, run, channel, notice } = await slackAppProject(world, slack.server, 'C0TEXT1');
  slack.server.react(channel, notice.ts, 'white_check_mark', '<!channel>');
  slack.server.react(channel, notice.ts, 'white_check_mark', 'U0EVE>|<@U0ALICE');
  await run(1);
  assert.ok(p.audit().some((e) => e.event === 'chat_refused'));
  const refusals = notice.replies.map((r) => r.text);
  assert.equal(refusals.length, 2, JSON.stringify(refusals));
  for (const text of refusals) {
    assert.match(text, /^Sorry, slack user .* is not allowed/);
    assert.doesNotMatch(text, /<[@#!]/, 'no mention, channel link or broadcast is formed');
  }
});
