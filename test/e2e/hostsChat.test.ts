import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { useSlackApiServer } from '../support/chatProjects.js';
import { alertHeldBy, hostRoles, keysOf, useHostPairs } from '../support/hostPair.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import type { FakeChat } from '../support/telegramServer.js';
import { useWorld } from '../support/world.js';

// Two hosts share one Telegram bot and one Slack app channel: only the coordinator reads them (one reader a
// minute), and a chat action on an alert the other host holds reaches that host as a queued operation.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const slack = useSlackApiServer();
const pairOf = useHostPairs(world);
const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
const { coordinator, other } = hostRoles();
const USERS = ['u0', 'u1', 'u2', 'u3', 'u4'];

beforeEach(() => servers.telegram.clearQueue());

/** Two alerts over the same logons (at T - 30 s, matching for 15 minutes): `far` held by the host that is not the coordinator, `near` by the coordinator. */
async function logonAlerts(notify: string) {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-chat');
  await indexDocs(world.esUrl, index, USERS.map((u) => logonEvent(T - 30_000, u)));
  const far = alertHeldBy(other, 'far');
  const near = alertHeldBy(coordinator, 'near');
  const alert = (title: string) => ({ index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: [notify], throttle: '2m', lookback: '15m', title, message: '{{count}} logon(s) to {{key}}', samples: 0 });
  return { T, far, near, alerts: { [far]: alert('Far logon: {{key}}'), [near]: alert('Near logon: {{key}}') } };
}

test('a Telegram bot shared by two hosts is read by one host a minute; an Ack for an alert the other host holds stops its repeats; over 10 minutes, the coordinator moving away and back, no press is applied twice or lost', { timeout: 300_000 }, async () => {
  const group: FakeChat = { id: -1_009_700_001, type: 'supergroup', title: 'SOC' };
  const { T, far, near, alerts } = await logonAlerts('team-bot');
  const pair = await pairOf({
    T,
    alerts,
    env: servers.secrets,
    config: (host) => {
      const base = servers.config(world) as { channels: Record<string, unknown> };
      return { ...base, channels: { ...base.channels, 'team-bot': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: `${servers.telegram.base}/via-${host}`, timeout: '3s', bot: true, allowed_users: [ALICE.id] } } };
    },
  });
  // Both hosts have a heartbeat before the first notice (the first host alone would hold everything).
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);

  const messages = () => servers.telegram.inChat(group.id);
  const noticeOf = (title: string) => messages().find((m) => m.text.includes(title))!;
  const press = (title: string, button: 'ack' | 'silence') => {
    const notice = noticeOf(title);
    const data = notice.reply_markup!.inline_keyboard[0]!.find((b) => b.callback_data!.endsWith(`:${button}`))!.callback_data;
    servers.telegram.press(ALICE, notice, data);
  };
  const presses: Record<number, [string, 'ack' | 'silence'][]> = {
    1: [[`Far logon: u0`, 'ack'], [`Near logon: u0`, 'ack']],
    3: [[`Far logon: u1`, 'ack'], [`Near logon: u1`, 'silence']],
    5: [[`Far logon: u2`, 'ack'], [`Near logon: u2`, 'ack']],
    // Minute 6, the coordinator's return (the bot's reader changing hands): one press before the runs, one pressed
    // as soon as the first host of the minute has read the bot (before the second host reads it, if it does).
    6: [[`Far logon: u3`, 'ack']],
  };
  const duringSix: [string, 'ack'][] = [[`Near logon: u3`, 'ack']];
  const sentAt = new Map<string, number[]>();
  const readers = new Map<number, Set<string>>();
  for (let minute = 0; minute <= 10; minute++) {
    // Minute 5: the coordinator does not run (a maintenance); once its heartbeat is stale the other host holds everything, the bot included.
    if (minute === 5) await new Promise((resolve) => setTimeout(resolve, 16_000));
    for (const [title, button] of presses[minute] ?? []) press(title, button);
    const polls = servers.telegram.polls.length;
    const before = messages().length;
    const ran = pair.minute(minute, minute === 5 ? [other] : undefined);
    if (minute === 6) {
      let settled = false;
      ran.then(() => (settled = true), () => (settled = true));
      while (servers.telegram.polls.length === polls && !settled) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const [title, button] of duringSix) press(title, button);
    }
    await ran;
    readers.set(minute, new Set(servers.telegram.polls.slice(polls).map((p) => p.via ?? '?')));
    for (const m of messages().slice(before)) {
      const title = /(Far|Near) logon: u\d/.exec(m.text)?.[0] ?? m.text;
      sentAt.set(title, [...(sentAt.get(title) ?? []), minute]);
    }
  }

  for (const [minute, via] of readers) {
    // Minute 6 is the coordinator's return: the lease changes hands, so both may read the bot one after the other
    // (never at once; the shared cursor keeps each update single, see docs/chat.md): each press applied once is asserted below.
    if (minute !== 6) assert.equal(via.size, 1, `minute ${minute}: the bot was read by one host (${[...via].join(', ')})`);
  }
  assert.deepEqual([...readers.get(1)!], [coordinator], 'the coordinator reads the bot');
  assert.deepEqual([...readers.get(5)!], [other], 'while the coordinator is away, the other host reads it');
  for (const user of USERS) for (const which of ['Far', 'Near']) assert.equal(sentAt.get(`${which} logon: ${user}`)?.[0], 0, `${which} ${user} notified once at minute 0`);
  // Each pressed key is quiet from the minute after its press on (the holder applied the queued ack at its next run).
  // (Minute 6's presses may be read at minute 7 when one host read the bot at 6: quiet from minute 8 on.)
  for (const [minute, list] of Object.entries({ ...presses, 6: [...presses[6]!, ...duringSix] })) {
    const quietAfter = Number(minute) === 6 ? 7 : Number(minute);
    for (const [title] of list) assert.deepEqual(sentAt.get(title)!.filter((m) => m > quietAfter), [], `${title}: no repeat after the press at minute ${minute} (${sentAt.get(title)})`);
  }
  // The keys nobody pressed kept repeating every 2 minutes: the repeats were there to stop.
  for (const which of ['Far', 'Near']) assert.ok(sentAt.get(`${which} logon: u4`)!.length >= 5, `${which} u4 repeats: ${sentAt.get(`${which} logon: u4`)}`);

  const audit = pair.audit();
  const actions = audit.filter((e) => e.event === 'chat_action');
  // Each press read once and applied once, the two of the handover minute (6) included: none lost, none twice.
  assert.equal(actions.length, 8, `each press applied once: ${JSON.stringify(actions.map((a) => [a.what, a.result]))} (minute 6 read by ${[...readers.get(6)!]})`);
  assert.ok(actions.every((a) => a.ok === true && !/already applied/.test(String(a.result))));
  for (const alert of [far, near]) assert.equal(actions.filter((a) => a.what === `ack ${alert} u3`).length, 1, `the ack of ${alert} u3 (minute 6) read once`);
  const applied = audit.filter((e) => e.event === 'op_applied').map((e) => `${e.alert} ${(e.keys as string[]).join()}`);
  assert.deepEqual(applied.filter((e) => !e.endsWith(' u3')).sort(), [`${far} u0`, `${far} u1`], 'the acks of the far alert reached its holder as queued ops, once each');
  // A minute-6 ack queued for the other host (its reader not holding the alert then) is applied once too.
  for (const alert of [far, near]) assert.ok(applied.filter((e) => e === `${alert} u3`).length <= 1, `${alert} u3 applied at most once as a queued op: ${applied}`);
  assert.match(String(actions.find((a) => a.what === `ack ${far} u0`)!.result), new RegExp(`queued: applied by the host holding alert ${far} at its next run`));

  const farKeys = await keysOf(pair, far);
  for (const user of ['u0', 'u1', 'u2', 'u3']) assert.equal(farKeys[user].acknowledged?.by, '@alice (telegram 101)', `${far} ${user} acknowledged`);
  assert.equal(farKeys.u4.acknowledged, undefined);
  const nearKeys = await keysOf(pair, near);
  assert.ok(nearKeys.u0.acknowledged && nearKeys.u2.acknowledged && nearKeys.u3.acknowledged && !nearKeys.u1.acknowledged && !nearKeys.u4.acknowledged);
  const docs = await pair.docs();
  assert.equal([...docs.values()].filter((d) => d._source.kind === 'silence').length, 1, 'one silence from the one Silence press');
  assert.equal([...docs.keys()].filter((id) => id.startsWith('op:')).length, 0, 'the coordinator deleted the ops once applied');
});

test('a Slack app channel shared by two hosts is read by one host a minute; a reaction on a notice of the other host\'s alert stops its repeats', { timeout: 180_000 }, async () => {
  const channel = 'C0HOSTS';
  slack.server.channels.set(channel, []);
  const { T, far, near, alerts } = await logonAlerts('ops-slack');
  const pair = await pairOf({
    T,
    alerts,
    env: { SLACK_BOT_TOKEN: slack.server.token },
    config: (host) => ({
      ...(servers.config(world) as object),
      channels: { 'ops-slack': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel, api_url: slack.server.apiUrl.replace(/\/api$/, `/via-${host}/api`), allowed_users: ['U0ALICE'], timeout: '3s' } },
    }),
  });
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  await pair.minute(0);
  const notice = (title: string) => slack.server.posted(channel).find((m) => m.text.includes(title) || JSON.stringify(m.blocks).includes(title))!;
  const count = (title: string) => slack.server.posted(channel).filter((m) => m.text.includes(title) || JSON.stringify(m.blocks).includes(title)).length;
  assert.equal(count('Far logon: u0'), 1);
  slack.server.react(channel, notice('Far logon: u0').ts, 'white_check_mark', 'U0ALICE');
  slack.server.react(channel, notice('Near logon: u0').ts, 'white_check_mark', 'U0ALICE');
  const readers: Set<string>[] = [];
  for (let minute = 1; minute <= 4; minute++) {
    const calls = slack.server.calls.length;
    await pair.minute(minute);
    readers.push(new Set(slack.server.calls.slice(calls).filter((c) => c.method === 'conversations.history' && c.params.channel === channel).map((c) => c.via ?? '?')));
  }
  for (const via of readers) assert.deepEqual([...via], [coordinator], 'one host, the coordinator, reads the channel each minute');
  assert.equal(count('Far logon: u0'), 1, 'no repeat of the acknowledged key of the other host\'s alert');
  assert.equal(count('Near logon: u0'), 1);
  assert.ok(count('Far logon: u1') >= 2, 'a key nobody acknowledged repeats');
  const replies = notice('Far logon: u0').replies.map((r) => r.text);
  assert.equal(replies.length, 1, `one confirmation in the thread: ${JSON.stringify(replies)}`);
  assert.match(replies[0]!, new RegExp(`queued: applied by the host holding alert ${far}`));
  assert.equal((await keysOf(pair, far)).u0.acknowledged?.by, 'slack user U0ALICE');
  assert.equal((await keysOf(pair, near)).u0.acknowledged?.by, 'slack user U0ALICE');
  assert.equal(pair.audit().filter((e) => e.event === 'chat_action').length, 2);
});
