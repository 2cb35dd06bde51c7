import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { slackAppProject, telegramBotProject, useSlackApiServer } from '../support/chatProjects.js';
import type { FakeChat, FakeMessage } from '../support/telegramServer.js';
import { iso, useWorld } from '../support/world.js';

// Issue 23.7: every applied chat action is confirmed in chat, in this run or the next, even when the inbox's time
// budget ends first or the run is killed: the answers owed are kept in the state until Telegram accepted them.

const MIN = 60_000;
const PRESSES = 80;
const world = useWorld();
const servers = useChannelServers();
const slack = useSlackApiServer();
beforeEach(() => {
  servers.telegram.clearQueue();
  servers.telegram.answerDelayMs = 0;
});

const ALICE = { id: 101, first_name: 'Alice', username: 'alice' };
let nextGroup = 1;
const newGroup = (): FakeChat => ({ id: -1_009_700_000 - nextGroup++, type: 'supergroup', title: 'SOC' });

/** A project with 80 firing keys, each notified to a Telegram bot group where Alice may act; run.deadline 4s gives the inbox 1 s. Alice then presses Silence on every notice. */
async function backlogProject(group: FakeChat) {
  const users = Array.from({ length: PRESSES }, (_, i) => `user${i}`);
  const { T, p, notices, config } = await telegramBotProject(world, servers, group, { allowed_users: [ALICE.id] }, users, { deadline: '4s' });
  // Later runs on a loaded machine get room for the 160 calls that confirm 80 presses (run.deadline 20s: an inbox share of 5 s).
  const roomy = () => p.writeConfig({ ...config, run: { deadline: '20s' } });
  // One page of 80 updates.
  const presses = notices.map((notice) => ({ notice, id: servers.telegram.press(ALICE, notice, `${notice.reply_markup!.inline_keyboard[0]![1]!.callback_data}`) }));
  return { T, p, presses, roomy };
}

/** Whether a press was confirmed: its query answered in time, or its notice shows who silenced it. */
function confirmed(press: { notice: FakeMessage; id: string }): boolean {
  return servers.telegram.answers.some((a) => a.id === press.id && a.ok && /Silence 1h/.test(a.text)) || /✔ Silence 1h: @\u2060alice/.test(press.notice.text);
}

test('an 80-press backlog longer than the inbox budget: every press is applied once, and the ones not answered in time are confirmed by the next run', async (t) => {
  const group = newGroup();
  const { T, p, presses, roomy } = await backlogProject(group);
  servers.telegram.answerDelayMs = 60; // 80 presses x (answer + edit) x 60 ms: far more than the inbox's 1 s
  await p.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const afterFirst = p.state();
  assert.equal(afterFirst.silences.length, PRESSES, 'every press was applied in the first run');
  const owed = afterFirst.chatOwed?.length ?? 0;
  assert.ok(owed > 0, 'the budget ended before every press was answered: the rest are owed in the state');
  t.diagnostic(`first run: ${PRESSES} presses applied, ${owed} answers owed to the next run`);
  assert.ok(presses.filter(confirmed).length < PRESSES);

  // The next run, a minute later: the presses are too old to answer, so their notices are edited instead.
  servers.telegram.answerDelayMs = 0;
  servers.telegram.advance(60);
  roomy();
  const second = await p.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(second.code, 0, second.stderr);
  const state = p.state();
  assert.equal(state.silences.length, PRESSES, 'nothing was applied twice');
  assert.deepEqual(state.chatOwed ?? [], [], 'nothing is owed any more');
  assert.deepEqual(presses.filter((press) => !confirmed(press)).map((press) => press.id), [], 'every press was confirmed');
  const appliedAt = `${iso(T + MIN).slice(0, 16).replace('T', ' ')} UTC`;
  assert.ok(presses.every((press) => !/✔/.test(press.notice.text) || press.notice.text.includes(appliedAt)), 'a late confirmation says when the action was applied');
});

test('an 80-press backlog and a run killed (SIGKILL) while it answers: the next run applies nothing twice and confirms every press', async () => {
  const group = newGroup();
  const { T, p, presses, roomy } = await backlogProject(group);
  servers.telegram.answerDelayMs = 40;
  roomy();
  const answered = servers.telegram.answers.length;
  const child = p.spawn(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const closed = new Promise((resolve) => child.on('close', resolve));
  const started = Date.now();
  while (servers.telegram.answers.length < answered + 10 && Date.now() - started < 20_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
  assert.ok(child.kill('SIGKILL'), 'killed while answering');
  await closed;
  assert.ok(presses.filter(confirmed).length < PRESSES, 'the kill came before every press was confirmed');

  servers.telegram.answerDelayMs = 0;
  servers.telegram.advance(60);
  roomy();
  const next = await p.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(next.code, 0, next.stderr);
  const state = p.state();
  assert.equal(state.silences.length, PRESSES, 'every press applied exactly once');
  assert.deepEqual(state.chatOwed ?? [], []);
  assert.deepEqual(presses.filter((press) => !confirmed(press)).map((press) => press.id), [], 'every press was confirmed');
});

test('Slack: a thread confirmation that meets a rate limit is owed, and the next run posts it once', async () => {
  const { T, p, channel, notice } = await slackAppProject(world, slack.server, 'C0OWED1');
  slack.server.reply(channel, notice.ts, 'U0ALICE', 'silence 2h');
  slack.server.rateLimited.set('chat.postMessage', '1');
  const first = await p.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  slack.server.rateLimited.delete('chat.postMessage');
  assert.match(first.stderr, /confirmed by the next run/);
  assert.equal(p.state().silences.length, 1, 'applied');
  assert.equal(p.state().chatOwed.length, 1, 'its confirmation is owed');
  const second = await p.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(second.code, 0, second.stderr);
  const confirmations = notice.replies.filter((r) => r.user === slack.server.botUser).map((r) => r.text);
  assert.deepEqual(confirmations.length, 1, JSON.stringify(confirmations));
  assert.match(confirmations[0]!, /✔ Silence 1h by slack user U0ALICE/);
  assert.deepEqual(p.state().chatOwed ?? [], []);
  assert.equal(p.state().silences.length, 1, 'nothing applied twice');
});
