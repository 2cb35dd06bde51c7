// Issue 29 point 2: receipts live in an append-only log beside state.json (one file per day), not in the state a run
// rewrites. An older state.json holding many receipts is moved there once; a button press, a reply, a repeat and a
// resolve on a notice sent before the move still find what it opened; pruning removes whole day files.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { incidentId } from '../../src/notify/incidentId.js';
import { useAlertmanagerServers } from '../support/alertmanagerServer.js';
import { useChannelServers } from '../support/channelWorld.js';
import { pagingProject, runOk } from '../support/channelRuns.js';
import { readReceiptLog, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const world = useWorld();
const servers = useChannelServers();
const am = useAlertmanagerServers(1);
beforeEach(() => servers.telegram.clearQueue());

const stateFile = (p: Project) => join(p.dir, 'state', 'state.json');
const receiptDays = (p: Project) => (existsSync(`${stateFile(p)}.receipts`) ? readdirSync(`${stateFile(p)}.receipts`).sort() : []);

/**
 * Turns the project's state into the format of before the receipt log: state.json holds every receipt in `sent`
 * (those of the log, and `extra` made-up older notices of another key), and there is no log.
 */
function toOldFormat(p: Project, channel: string, alert: string, T: number, extra: number): number {
  const raw = JSON.parse(readFileSync(stateFile(p), 'utf8'));
  const filler = Array.from({ length: extra }, (_, i) => ({ id: `old-${i}`, alert, key: `user-${i}`, channel, reason: 'first', at: T - 3 * DAY + i * 1000, receipt: { id: String(900_000 + i) } }));
  raw.sent = [...filler, ...readReceiptLog(stateFile(p))];
  writeFileSync(stateFile(p), JSON.stringify(raw));
  rmSync(`${stateFile(p)}.receipts`, { recursive: true, force: true });
  return raw.sent.length;
}

/** A project whose alert tells the team bot (in chat `chatId`, user 101 allowed) of each admin logon, with one logon indexed at T − 1 min. */
async function botProject(indexName: string, chatId: number, T: number): Promise<Project> {
  const index = await world.index(indexName);
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07' })]);
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: chatId, api_url: servers.telegram.base, timeout: '3s', bot: true, allowed_users: [101] };
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0 });
  return p;
}

/** After a run: state.json holds no receipt, the log holds every one of `ids`. */
function assertMoved(p: Project, ids: string[]): void {
  assert.equal('sent' in JSON.parse(readFileSync(stateFile(p), 'utf8')), false, 'state.json no longer holds the receipts');
  const logged = new Set(readReceiptLog(stateFile(p)).map((s) => s.id));
  assert.deepEqual(ids.filter((id) => !logged.has(id)), [], 'every receipt was moved to the log');
}

test('an older state with many receipts is moved to the log once; a press and a reply on a notice sent before still act; old days are removed whole', async () => {
  const T = uniqueBaseTime();
  const group = { id: -1_009_500_001, type: 'supergroup' as const, title: 'SOC' };
  const p = await botProject('auth-receipts', group.id, T);
  const run = async (at: number) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(at) });
    assert.equal(result.code, 0, result.stderr);
  };
  await run(T);
  const [notice] = servers.telegram.inChat(group.id);
  assert.ok(notice, 'the notice went to the chat');
  const ids = readReceiptLog(stateFile(p)).map((s) => s.id);
  assert.equal(ids.length, 1, 'its receipt is in the log');

  const moved = toOldFormat(p, 'team-bot', 'admins', T, 3000);
  const alice = { id: 101, first_name: 'Alice', username: 'alice' };
  servers.telegram.press(alice, notice, notice.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  servers.telegram.say(alice, group, 'silence 2h', notice);
  await run(T + MIN);
  assertMoved(p, [...ids, ...Array.from({ length: 3000 }, (_, i) => `old-${i}`)]);
  assert.equal(readReceiptLog(stateFile(p)).length, moved);
  const state = p.state();
  assert.equal(state.alerts.admins.keys.root.acknowledged?.by, '@alice (telegram 101)', 'the press on the old notice acked its key');
  assert.equal(state.silences.length, 1, 'the reply to the old notice silenced it');
  assert.equal(state.silences[0].endsAt - state.silences[0].createdAt, 2 * 60 * MIN);
  const written = readFileSync(stateFile(p), 'utf8').length;
  await run(T + 2 * MIN);
  assert.ok(readFileSync(stateFile(p), 'utf8').length <= written + 200, 'a quiet run does not write the receipts into state.json again');

  // Eight days later every receipt is older than prune_after (7d): their day files are removed whole.
  const before = receiptDays(p);
  assert.ok(before.length >= 1);
  await run(T + 8 * DAY);
  assert.deepEqual(receiptDays(p).filter((d) => before.includes(d)), [], 'the old day files are gone');
  assert.deepEqual(readReceiptLog(stateFile(p)), [], 'no receipt is left');
});

test('a repeat and a resolve after the move still reach the alert the first notice opened (Alertmanager)', async () => {
  const T = uniqueBaseTime();
  const s = am.servers[0]!;
  s.now = () => T;
  const { project, logon } = await pagingProject(world, 'am-receipts', { am: { type: 'alertmanager', urls: [s.base], labels: { host: '{{host.name}}' }, resolve_timeout: '1h', timeout: '3s' } });
  await logon(T - 30_000, 'root', { host: { name: 'dc01' } });
  await runOk(project, T);
  const labels = { host: 'dc01', alertname: 'admin-logons', alertcron_id: incidentId('admin-logons', 'root') };
  const ids = readReceiptLog(stateFile(project)).map((n) => n.id);
  toOldFormat(project, 'am', 'admin-logons', T, 2000);

  await logon(T + 30_000, 'root', { host: { name: 'dc02' } });
  s.now = () => T + MIN;
  await runOk(project, T + MIN);
  assertMoved(project, ids);
  assert.deepEqual([...s.alerts.values()].map((a) => a.labels), [labels], 'the repeat renewed the alert the first notice opened');
  s.now = () => T + 2 * MIN;
  await runOk(project, T + 2 * MIN);
  assert.deepEqual(s.active(), [], 'the resolve ended it');
  assert.deepEqual(s.resolved().map((a) => a.labels), [labels]);
});

test('a press on a notice older than prune_after is answered as an unknown notice, though its day file is still there', async () => {
  const T = uniqueBaseTime();
  const group = { id: -1_009_500_002, type: 'supergroup' as const, title: 'SOC' };
  const p = await botProject('auth-receipts-old', group.id, T);
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const [notice] = servers.telegram.inChat(group.id);
  assert.ok(notice, 'the notice went to the chat');
  const days = receiptDays(p);
  assert.equal(days.length, 1);

  // A minute past prune_after (7 days): the day file of the notice ends later that day, so it is still there.
  servers.telegram.press({ id: 101, first_name: 'Alice', username: 'alice' }, notice, notice.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  const late = await p.run(['run'], { ALERTCRON_NOW: iso(T + 7 * DAY + MIN) });
  assert.equal(late.code, 0, late.stderr);
  assert.equal(servers.telegram.answers.at(-1)?.text, 'This notice is no longer known to alertcron (see alertcron status).');
  assert.equal(p.state().alerts.admins?.keys.root?.acknowledged, undefined, 'the press acked nothing');
});

test('after one run with the clock a year ahead, later receipts go to files of their own days: old files are pruned, a press still acts', async () => {
  const T = uniqueBaseTime();
  const YEAR = 365 * DAY;
  const group = { id: -1_009_500_004, type: 'supergroup' as const, title: 'SOC' };
  const index = await world.index('auth-receipts-ahead');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07' }), logonEvent(T + YEAR - MIN, 'ahead', { host: 'dc07' }), logonEvent(T + 8 * DAY - MIN, 'bob', { host: 'dc07' })]);
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: servers.telegram.base, timeout: '3s', bot: true, allowed_users: [101] };
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0 });
  const run = async (at: number) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(at) });
    assert.equal(result.code, 0, result.stderr);
  };
  await run(T);
  const first = receiptDays(p);
  await run(T + YEAR);
  const ahead = receiptDays(p).filter((f) => !first.includes(f));
  assert.equal(ahead.length, 1, 'the run a year ahead wrote a file');
  const aheadSize = readFileSync(join(`${stateFile(p)}.receipts`, ahead[0]!), 'utf8').length;
  // The clock is right again: a week later, a new notice.
  await run(T + MIN);
  await run(T + 8 * DAY);
  const bob = servers.telegram.inChat(group.id).find((m) => m.text?.includes('bob'));
  assert.ok(bob, 'the notice on bob went out');
  const aheadFile = join(`${stateFile(p)}.receipts`, ahead[0]!);
  assert.ok(!existsSync(aheadFile) || readFileSync(aheadFile, 'utf8').length === aheadSize, 'the year-ahead file took no later receipt');
  assert.deepEqual(receiptDays(p).filter((f) => first.includes(f)), [], 'the first day file is pruned');
  // The notice sent a year ahead was moved back by the clock step and is past prune_after now: its year-ahead line is not read back.
  assert.deepEqual(readReceiptLog(stateFile(p)).filter((n) => n.at > T + 8 * DAY).map((n) => n.key), [], 'no receipt of a future time is read back');
  const old = servers.telegram.inChat(group.id).find((m) => m.text?.includes('ahead'));
  assert.ok(old, 'the notice sent a year ahead went out');
  servers.telegram.press({ id: 101, first_name: 'Alice', username: 'alice' }, old, old.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  await run(T + 8 * DAY + MIN);
  assert.equal(servers.telegram.answers.at(-1)?.text, 'This notice is no longer known to alertcron (see alertcron status).', 'the press on the old notice is not accepted');
  assert.equal(p.state().alerts.admins?.keys.ahead?.acknowledged, undefined, 'the press on the old notice acked nothing');
  servers.telegram.press({ id: 101, first_name: 'Alice', username: 'alice' }, bob, bob.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  await run(T + 8 * DAY + 2 * MIN);
  assert.equal(p.state().alerts.admins.keys.bob.acknowledged?.by, '@alice (telegram 101)', 'the press on the new notice acked its key');
});
