import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sudo, sudoAskAlert, useAskServers } from '../support/askProject.js';
import { alertHeldBy, hostRoles, useHostPairs } from '../support/hostPair.js';
import { queuedAskId } from '../../src/run/handOverAsks.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

// An ask alert held by the host that is not the coordinator: it hands the finding over (an ask: document), and the
// coordinator, which holds the conversations, asks the person on Slack and confirms the yes with a Duo push.
const world = useWorld();
const servers = useAskServers();
const pairOf = useHostPairs(world);
const { coordinator, other } = hostRoles();


/** Two hosts sharing one state index, asking on a Slack app channel with Duo, with the ask alert `name` on `index`. */
function askPair(T: number, index: string, name: string) {
  return pairOf({
    T,
    env: { SLACK_BOT_TOKEN: servers.slack.token, DUO_IKEY: servers.duo.ikey, DUO_SKEY: servers.duo.skey },
    config: () => {
      const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
      const chat = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0ALERTS', api_url: servers.slack.apiUrl, timeout: '3s' };
      return { ...base, channels: { ...(base.channels as object), 'soc-bot': chat }, duo: { api_url: servers.duo.base, integration_key: '${DUO_IKEY}', secret_key: '${DUO_SKEY}', timeout: '1s', push_timeout: '3m' } };
    },
    alerts: { [name]: sudoAskAlert(index, 'soc-bot') },
  });
}

test('a conversation (Slack question, Duo push) for an ask alert held by the non-coordinator host is started by the coordinator and confirmed, once', { timeout: 180_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-ask');
  const name = alertHeldBy(other, 'sudo');
  servers.slack.addUser('U0ALICE', 'alice@example.org');
  servers.duo.users.set('alice@example.org', { enrolled: true, push: 'allow' });
  const pushes = servers.duo.pushes.length;
  const pair = await askPair(T, index, name);
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  await indexDocs(world.esUrl, index, [sudo(T - 30_000, 'alice')]);
  // The holder evaluates the alert and hands the finding over; the coordinator starts the conversation the same minute.
  await pair.of(other).run(0);
  const handed = [...(await pair.docs()).keys()].filter((id) => id.startsWith('ask:'));
  assert.deepEqual(handed, [`ask:${queuedAskId(name, 'alice')}`], 'the holder handed the finding to the coordinator');
  await pair.of(coordinator).run(0);
  const dm = servers.slack.dmOf('U0ALICE');
  const asked = servers.slack.channels.get(dm) ?? [];
  assert.equal(asked.length, 1, 'one question to the person');
  assert.match(asked[0]!.text, /Did you run sudo -i on db-3\?/);
  servers.slack.say(dm, 'U0ALICE', 'yes');
  for (const minute of [1, 2, 3]) await pair.minute(minute);

  const docs = await pair.docs();
  const conversations = docs.get('meta:state')!._source.body.conversations as { id: string; state: string }[];
  assert.deepEqual(conversations.map((c) => [c.id, c.state]), [[`${name}/alice`, 'confirmed']]);
  assert.equal(servers.duo.pushes.length - pushes, 1, 'one Duo push');
  assert.equal(servers.duo.pushes.at(-1)!.username, 'alice@example.org');
  assert.deepEqual([...docs.keys()].filter((id) => id.startsWith('ask:')), [], 'the coordinator consumed the handed-over ask');
  assert.equal(world.smtp.messages.filter((m) => m.subject.includes('alice')).length, 0, 'nothing escalated');
  const moves = pair.of(coordinator).p.audit().filter((e) => e.event === 'conversation').map((e) => e.to);
  assert.deepEqual(moves, ['new', 'asked', 'answered_yes', '2fa_pending', 'confirmed']);
  assert.equal(pair.of(other).p.audit().filter((e) => e.event === 'conversation').length, 0, 'the holder talks to nobody');
});

// A key is data from the logs, of any length: the handed-over ask's document id must not carry it (Elasticsearch and
// OpenSearch refuse an id over 512 bytes, and with it the whole _bulk of the run, every minute).
test('an ask finding with a 520-character key is handed over and started like any other: its document id stays short', { timeout: 180_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-ask-long');
  const name = alertHeldBy(other, 'sudo');
  const user = 'u'.repeat(520);
  const pair = await askPair(T, index, name);
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  await indexDocs(world.esUrl, index, [sudo(T - 30_000, user)]);
  const first = await pair.of(other).cli(['run', '--json'], 0);
  assert.equal(first.code, 0, `the holder's run went through: ${first.stderr}`);
  const docs = await pair.docs();
  const handed = [...docs.keys()].filter((id) => id.startsWith('ask:'));
  assert.deepEqual(handed, [`ask:${queuedAskId(name, user)}`], 'the finding was handed over under a short id');
  assert.equal(docs.get(handed[0]!)!._source.body.key, user, 'the key stays whole in the body');
  // The holder's window moved on: the next minute is a new window, not the same one again.
  const second = await pair.of(other).cli(['run', '--json'], 1);
  assert.equal(second.code, 0, second.stderr);
  await pair.of(coordinator).run(1);
  const after = await pair.docs();
  assert.deepEqual([...after.keys()].filter((id) => id.startsWith('ask:')), [], 'the coordinator took the ask');
  const conversations = after.get('meta:state')!._source.body.conversations as { key: string }[];
  assert.deepEqual(conversations.map((c) => c.key), [user], 'one conversation, for the long key');
});
