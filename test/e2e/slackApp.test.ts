import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startSlackApiServer, type SlackApiServer } from '../support/slackApiServer.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const fake = useTheHiveServer();
let slack: SlackApiServer;
before(async () => {
  slack = await startSlackApiServer();
});
after(async () => {
  await slack?.close();
});

let nextChannel = 1;

/** A project whose alert fires on one user (searching the last 15 minutes) and notifies a Slack app channel where only Alice may act. */
async function slackProject(user = 'root', channelConfig: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const channel = `C0TEST${nextChannel++}`;
  slack.channels.set(channel, []);
  const index = await world.index('auth-slackapp');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, user, { host: 'dc07', ip: '10.9.8.7' })]);
  const p = world.project();
  p.writeConfig({
    elasticsearch: { url: world.esUrl, timeout: '10s' },
    channels: { 'ops-slack': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel, api_url: slack.apiUrl, allowed_users: ['U0ALICE'], timeout: '3s', ...channelConfig } },
    defaults: { first_lookback: '10m', ingest_delay: '0s' },
    delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 },
  });
  Object.assign(p.env, { SLACK_BOT_TOKEN: slack.token });
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['ops-slack'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}} on {{host.name}}', samples: 0 });
  const run = async (minutes: number, code = 0) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, code, result.stderr);
    return result;
  };
  const calls = (method: string) => slack.calls.filter((c) => c.method === method && c.params.channel === channel).length;
  return { T, p, index, channel, run, calls };
}

test('a reaction from an allowed person acks the key at the next run and the bot confirms in the thread; one history call per run', async () => {
  const { T, p, index, channel, run, calls } = await slackProject();
  await run(0);
  const [notice] = slack.posted(channel);
  assert.ok(notice, 'posted with chat.postMessage');
  assert.equal(notice.body!.unfurl_links, false);
  assert.match(JSON.stringify(notice.blocks), /React :white_check_mark: Ack, :no_bell: Silence 1h; or reply in this thread: ack, silence 2h/);
  const sent = p.state().sent[0];
  assert.deepEqual(sent.receipt, { id: notice.ts, chat: channel }, 'the channel and timestamp are kept');

  slack.react(channel, notice.ts, 'white_check_mark', 'U0ALICE');
  const historyBefore = calls('conversations.history');
  await run(1);
  assert.equal(calls('conversations.history') - historyBefore, 1, 'one history call reads every open notice with its reactions');
  assert.equal(calls('conversations.replies'), 0, 'no thread had replies: no replies call');
  const key = p.state().alerts.admins.keys.root;
  assert.equal(key.acknowledged.by, 'slack user U0ALICE');
  assert.deepEqual(notice.replies.map((r) => r.text), ['✔ Ack by slack user U0ALICE: acknowledged admins: "root" (until it stops matching)']);

  // The reaction stays on the message: later runs do not take it again.
  await run(2);
  assert.equal(notice.replies.length, 1);
  assert.equal(p.audit().filter((e) => e.event === 'chat_action').length, 1);
  await indexDocs(world.esUrl, index, [logonEvent(T + 8 * MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  await run(10);
  assert.equal(slack.posted(channel).length, 1, 'acknowledged: no repeat');
});

test('a stranger\'s reaction changes nothing and gets a polite refusal; a thread reply silences for the time asked', async () => {
  const { p, channel, run, calls } = await slackProject();
  await run(0);
  const [notice] = slack.posted(channel);
  slack.react(channel, notice!.ts, 'white_check_mark', 'U0EVE');
  slack.reply(channel, notice!.ts, 'U0EVE', 'silence 9h');
  slack.reply(channel, notice!.ts, 'U0ALICE', 'thanks, looking');
  slack.reply(channel, notice!.ts, 'U0ALICE', 'silence 2h');
  await run(1);
  const state = p.state();
  assert.equal(state.alerts.admins.keys.root.acknowledged, undefined);
  assert.equal(state.silences.length, 1);
  assert.equal(state.silences[0].author, 'slack user U0ALICE');
  assert.equal(state.silences[0].endsAt - state.silences[0].createdAt, 2 * 60 * MIN);
  assert.equal(calls('conversations.replies'), 1, 'one replies call for the thread with new replies');
  const botReplies = notice!.replies.filter((r) => r.user === slack.botUser).map((r) => r.text);
  assert.deepEqual(botReplies.filter((t) => t.startsWith('Sorry')), ['Sorry, slack user U0EVE is not allowed to act on alerts here. Ask the alertcron administrator.', 'Sorry, slack user U0EVE is not allowed to act on alerts here. Ask the alertcron administrator.']);
  assert.ok(botReplies.some((t) => t.startsWith('✔ Silence 1h by slack user U0ALICE: silenced')));
  assert.equal(p.audit().filter((e) => e.event === 'chat_refused' && e.by === 'slack user U0EVE').length, 2);
  await run(2);
  assert.equal(calls('conversations.replies'), 1, 'no new replies (its own confirmations are not news): no replies call');
  const status = await p.run(['status']);
  assert.match(status.stdout, /ops-slack chat C0TEST\d+: slack user U0EVE: ".*" refused\/failed: "person not allowed"/);
});

test('log data never becomes a mention or link in the notice or in the thread confirmations', async () => {
  const { p, channel, run } = await slackProject('x<!channel>*bold*');
  await run(0);
  const [notice] = slack.posted(channel);
  slack.react(channel, notice!.ts, 'white_check_mark', 'U0ALICE');
  await run(1);
  assert.ok(p.state().alerts.admins.keys['x<!channel>*bold*'].acknowledged);
  for (const message of [notice!, ...notice!.replies]) {
    assert.doesNotMatch(message.text, /<!channel>|\*bold\*/, message.text);
  }
  assert.match(notice!.replies[0]!.text, /x&lt;!channel&gt;∗bold∗/);
});

test('429 on history and ok:false answers are handled like every channel failure: the read waits a run, the post is retried or dropped', async () => {
  const { p, channel, run } = await slackProject();
  await run(0);
  const [notice] = slack.posted(channel);
  slack.react(channel, notice!.ts, 'white_check_mark', 'U0ALICE');
  slack.rateLimited.set('conversations.history', '30');
  const limited = await run(1);
  assert.match(limited.stderr, /channel ops-slack: could not read its inbox: Slack conversations\.history failed: ratelimited/);
  assert.equal(p.state().alerts.admins.keys.root.acknowledged, undefined, 'nothing read, nothing lost');
  slack.rateLimited.clear();
  await run(2);
  assert.ok(p.state().alerts.admins.keys.root.acknowledged, 'the next run reads the reaction');

  const other = await slackProject('admin');
  slack.failing.set('chat.postMessage', 'internal_error');
  const retried = await other.run(0, 4);
  assert.match(retried.stderr, /Slack chat\.postMessage failed: internal_error/);
  assert.equal(other.p.state().pending.length, 1, 'kept for the next run');
  slack.failing.set('chat.postMessage', 'channel_not_found');
  const dropped = await other.run(1, 4);
  assert.match(dropped.stderr, /Slack chat\.postMessage failed: channel_not_found \(not retried\)/);
  assert.equal(other.p.state().pending.length, 0, 'a permanent failure is dropped with an audit record');
  assert.ok(other.p.audit().some((e) => e.event === 'delivery_failed' && e.retryable === false));
  slack.failing.clear();
});

test('a TheHive alert: ⬆️ from an allowed person promotes it to one case at the next run; 💤 ignores it; the escalation stops', async () => {
  const T = uniqueBaseTime();
  const channel = `C0HIVE${nextChannel++}`;
  slack.channels.set(channel, []);
  const p = world.project();
  p.writeConfig({
    thehive: { url: fake.server.base, api_key: '${THEHIVE_API_KEY}', organisation: 'soc', timeout: '3s' },
    channels: {
      'ops-slack': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel, api_url: slack.apiUrl, allowed_users: ['U0ALICE'], timeout: '3s' },
      'oncall-slack': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0ALERTS', api_url: slack.apiUrl, timeout: '3s' },
    },
    delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 },
  });
  Object.assign(p.env, { SLACK_BOT_TOKEN: slack.token, THEHIVE_API_KEY: fake.server.apiKey });
  p.writeAlert('hive-sla', { source: 'thehive', thehive: { severity: [3, 4] }, notify: ['ops-slack'], escalation: [{ after: '30m', notify: ['oncall-slack'] }] });
  const phishing = fake.server.addAlert({ title: 'Phishing click', severity: 3, _createdAt: T });
  const malware = fake.server.addAlert({ title: 'Malware', severity: 3, _createdAt: T });
  const at = async (minutes: number) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
  };
  await at(1);
  const notices = slack.posted(channel);
  assert.equal(notices.length, 2);
  assert.match(JSON.stringify(notices[0]!.blocks), /React :arrow_up: Promote, :zzz: Ignore 30m; or reply in this thread: promote, ignore 2h/);
  const byTitle = (title: string) => notices.find((n) => n.text.includes(title))!;
  slack.react(channel, byTitle('Phishing').ts, 'arrow_up', 'U0ALICE');
  slack.react(channel, byTitle('Phishing').ts, 'arrow_up', 'U0EVE');
  slack.reply(channel, byTitle('Malware').ts, 'U0ALICE', 'ignore 2h');
  await at(2);
  assert.deepEqual(fake.server.cases.map((c) => c.alertId), [phishing._id], 'one case, from Alice; Eve was refused');
  assert.match(byTitle('Phishing').replies.map((r) => r.text).join('\n'), /✔ Promote by slack user U0ALICE: case #1 created from alert/);
  assert.ok(p.state().silences.some((s: { key: string; endsAt: number; createdAt: number }) => s.key === malware._id && s.endsAt - s.createdAt === 120 * MIN));
  await at(31);
  assert.equal(slack.posted('C0ALERTS').filter((m) => m.text.includes('Phishing')).length, 0, 'promoted: no escalation');
  assert.equal(slack.posted('C0ALERTS').filter((m) => m.text.includes('Malware')).length, 0, 'ignored for 2h: no escalation');
});
