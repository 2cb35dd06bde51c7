import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startSlackApiServer, type SlackApiServer } from '../support/slackApiServer.js';
import type { FakeChat } from '../support/telegramServer.js';
import { iso, useWorld } from '../support/world.js';

// Issue 22.6: chat names and titles are made inert on the way in; whatever shows them (the administrator's join
// request, an edited notice, a press answer, `alertcron status`) shows clean text, and a cut never splits an emoji.

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
let slack: SlackApiServer;
before(async () => {
  slack = await startSlackApiServer();
});
after(async () => {
  await slack?.close();
});
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
  const T = uniqueBaseTime();
  const index = await world.index('auth-tgtext');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  const group: FakeChat = { id: -1_009_800_001, type: 'supergroup', title: 'SOC' };
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, admin_chat_id: ADMIN.id, api_url: servers.telegram.base, timeout: '3s', bot: true, allowed_users: [MALLORY.id] };
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0 });
  const run = async (minutes: number) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
    return result;
  };
  await run(0);
  const [notice] = servers.telegram.inChat(group.id);
  assert.ok(notice);

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
  const T = uniqueBaseTime();
  const channel = 'C0TEXT1';
  slack.channels.set(channel, []);
  const index = await world.index('auth-slacktext');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  const p = world.project();
  p.writeConfig({
    elasticsearch: { url: world.esUrl, timeout: '10s' },
    channels: { 'ops-slack': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel, api_url: slack.apiUrl, allowed_users: ['U0ALICE'], timeout: '3s' } },
    defaults: { first_lookback: '10m', ingest_delay: '0s' },
  });
  Object.assign(p.env, { SLACK_BOT_TOKEN: slack.token });
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['ops-slack'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', samples: 0 });
  assert.equal((await p.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  const [notice] = slack.posted(channel);
  slack.react(channel, notice!.ts, 'white_check_mark', '<!channel>');
  slack.react(channel, notice!.ts, 'white_check_mark', 'U0EVE>|<@U0ALICE');
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(result.code, 0, result.stderr);
  const refusals = notice!.replies.map((r) => r.text);
  assert.equal(refusals.length, 2, JSON.stringify(refusals));
  for (const text of refusals) {
    assert.match(text, /^Sorry, slack user .* is not allowed/);
    assert.doesNotMatch(text, /<[@#!]/, 'no mention, channel link or broadcast is formed');
  }
});
