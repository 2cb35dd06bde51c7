// Ask alerts end to end through bin/alertcron.js: the real engine finds sudo events, the Slack Web API test server
// holds the DMs, the Duo Auth API test server confirms (or refuses) the yes, and the SMTP sink gets the escalations.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { askProject as askProjectWith, conversationOf, mailText, sudo, useAskServers } from '../support/askProject.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useAskServers();

const askProject = (ask: Record<string, unknown> = {}) => askProjectWith(world, servers, { ask });
const text = mailText;
const subjects = () => world.smtp.messages.map((m) => m.subject).sort();
const conversation = conversationOf;

test('ask alert: yes + push allowed is quiet, yes + push denied, no, silence and an unknown person each escalate once with the whole story', async () => {
  const { T, index, project, run } = await askProject();
  for (const [id, name] of [['U0ALICE', 'alice'], ['U0BOB', 'bob'], ['U0CAROL', 'carol'], ['U0DAVE', 'dave']] as const) servers.slack.addUser(id, `${name}@example.org`);
  servers.duo.users.set('alice@example.org', { enrolled: true, push: 'allow' });
  servers.duo.users.set('bob@example.org', { enrolled: true, push: 'deny' });
  await indexDocs(world.esUrl, index, ['alice', 'bob', 'carol', 'dave', 'mallory'].map((u) => sudo(T - 30_000, u)));

  await run(T);
  assert.deepEqual(subjects(), ['[ask: unknown person] sudo by mallory on db-3'], 'nobody is told about the others yet; mallory is unknown to Slack');
  const question = servers.slack.channels.get(servers.slack.dmOf('U0ALICE'))![0]!;
  assert.match(question.text, /^Did you run sudo -i on db-3\?\n\nPlease reply yes or no .* by /);
  for (const user of ['U0BOB', 'U0CAROL', 'U0DAVE']) assert.equal(servers.slack.channels.get(servers.slack.dmOf(user))!.length, 1, `${user} asked once`);

  servers.slack.say(servers.slack.dmOf('U0ALICE'), 'U0ALICE', 'yes, that was me');
  servers.slack.say(servers.slack.dmOf('U0BOB'), 'U0BOB', 'Yes');
  servers.slack.say(servers.slack.dmOf('U0CAROL'), 'U0CAROL', 'no <!channel> I was asleep, see http://evil.example *now*');
  servers.slack.say(servers.slack.dmOf('U0DAVE'), 'U0MALLORY', 'yes', /* someone else writing in the DM does not count */);
  await run(T + MIN);
  assert.deepEqual(subjects(), ['[ask: said no] sudo by carol on db-3', '[ask: unknown person] sudo by mallory on db-3'], 'a no escalates at once');
  const carolMail = text(world.smtp.messages.find((m) => m.subject.includes('carol'))!.raw);
  assert.match(carolMail, /Answer at [^:]+:\d\d:\d\dZ: "no !channel I was asleep, see http\[:\]\/\/evil\.example now" \(read as no\)/);
  assert.match(carolMail, /Person: carol@example\.org \(chat user U0CAROL\)/);
  assert.match(carolMail, /https:\/\/kibana\.example\.org\/app\/discover#\/\?q=user\.name:carol/);
  assert.equal(conversation(project, 'alice').state, '2fa_pending');
  assert.equal(conversation(project, 'bob').state, '2fa_pending');
  assert.deepEqual(servers.duo.pushes.map((p) => p.username).sort(), ['alice@example.org', 'bob@example.org']);

  await run(T + 2 * MIN);
  assert.equal(conversation(project, 'alice').state, 'confirmed');
  assert.equal(conversation(project, 'bob').reason, '2fa_denied');
  const bobMail = world.smtp.messages.find((m) => m.subject.includes('bob'))!;
  assert.equal(bobMail.subject, '[ask: 2FA denied] sudo by bob on db-3');
  assert.match(text(bobMail.raw), /2FA: deny \(Login request denied\.\) for Duo user bob@example\.org/);
  assert.match(servers.slack.channels.get(servers.slack.dmOf('U0ALICE'))!.at(-1)!.text, /Confirmed with 2FA/);

  // alice again within her quiet hour: nobody is asked; dave said nothing by the deadline.
  await indexDocs(world.esUrl, index, [sudo(T + 9 * MIN, 'alice')]);
  await run(T + 11 * MIN);
  assert.equal(conversation(project, 'dave').reason, 'no_answer');
  assert.deepEqual(subjects(), ['[ask: 2FA denied] sudo by bob on db-3', '[ask: no answer by the deadline] sudo by dave on db-3', '[ask: said no] sudo by carol on db-3', '[ask: unknown person] sudo by mallory on db-3']);
  assert.equal(servers.slack.channels.get(servers.slack.dmOf('U0ALICE'))!.filter((m) => m.text.startsWith('Did you')).length, 1, 'alice was not asked again');
  assert.ok(project.audit().some((e) => e.event === 'ask_quiet' && e.person === 'alice@example.org'));
  assert.ok(servers.duo.requests.every((r) => r.verdict === 'ok'), 'every Duo request was correctly signed');

  await run(T + 12 * MIN);
  assert.equal(world.smtp.messages.length, 4, 'each escalation is sent once');
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 12 * MIN) });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^conversations: 0 open, 5 closed$/m);
  assert.match(status.stdout, /^ {2}firing "alice": asked about 2 time\(s\)/m, 'a finding of an ask alert is asked about, not notified');
  const list = await project.run(['list'], { ALERTCRON_NOW: iso(T + 12 * MIN) });
  assert.match(list.stdout, /^sudo {2}every 1m {2}any by user\.name {2}throttle 1m {2}-> ask via soc-bot, escalate to soc-email {2}\(/m);
  assert.match(status.stdout, /^ {2}sudo "alice" asking "alice@example\.org" on soc-bot: confirmed$/m);
  assert.match(status.stdout, /^ {2}sudo "bob" asking "bob@example\.org" on soc-bot: escalated \(2FA denied\)$/m);
  assert.match(status.stdout, /^ {4}\S+ 2fa_pending: Duo push sent to bob@example\.org$/m);
  const transitions = project.audit().filter((e) => e.event === 'conversation' && e.key === 'alice').map((e) => e.to);
  assert.deepEqual(transitions, ['new', 'asked', 'answered_yes', '2fa_pending', 'confirmed']);
});

test('a run killed while it sends the Duo push resumes the conversation from the saved yes', async () => {
  const { T, index, project, run } = await askProject();
  servers.slack.addUser('U0ERIN', 'erin@example.org');
  servers.duo.users.set('erin@example.org', { enrolled: true, push: 'waiting' });
  await indexDocs(world.esUrl, index, [sudo(T - 30_000, 'erin')]);
  await run(T);
  servers.slack.say(servers.slack.dmOf('U0ERIN'), 'U0ERIN', 'yep');
  servers.duo.hangPush = true;
  const pushes = servers.duo.requests.length;
  const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const closed = new Promise((resolve) => child.on('close', resolve));
  while (!servers.duo.requests.slice(pushes).some((r) => r.path.startsWith('/auth/v2/auth') && !r.path.includes('status')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await closed;
  servers.duo.hangPush = false;
  assert.equal(conversation(project, 'erin').state, 'answered_yes', 'the yes was saved before the push');
  await run(T + 2 * MIN);
  assert.equal(conversation(project, 'erin').state, '2fa_pending');
  servers.duo.users.get('erin@example.org')!.push = 'allow';
  await run(T + 3 * MIN);
  const erin = conversation(project, 'erin');
  assert.equal(erin.state, 'confirmed');
  assert.deepEqual(erin.history.map((h) => h.state), ['new', 'asked', 'answered_yes', '2fa_pending', 'confirmed']);
  assert.equal(world.smtp.messages.length, 0, 'nothing escalated');
});

test('ask over a Telegram bot: people file to user ids, a reply to the question and a plain no, read from the run\'s one getUpdates', async () => {
  const { startTelegramServer } = await import('../support/telegramServer.js');
  const tg = await startTelegramServer();
  try {
    const T = uniqueBaseTime();
    const index = await world.index('sudo-ask-tg');
    const project = world.project();
    project.writeConfig({
      ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
      channels: {
        'soc-email': { type: 'email', host: '127.0.0.1', port: world.smtp.port, starttls: 'ignore', from: 'alertcron@test.local', to: ['soc@test.local'], timeout: '3s' },
        'soc-tg': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: -1001234, api_url: tg.base, bot: true, timeout: '3s' },
      },
      duo: { api_url: servers.duo.base, integration_key: '${DUO_IKEY}', secret_key: '${DUO_SKEY}', timeout: '1s' },
    });
    Object.assign(project.env, { TELEGRAM_BOT_TOKEN: tg.token, DUO_IKEY: servers.duo.ikey, DUO_SKEY: servers.duo.skey });
    writeFileSync(join(project.dir, 'people.yaml'), 'frank: { telegram: 5151, duo: frank.duo }\ngail: 5252\n');
    project.writeAlert('sudo', {
      index,
      condition: { type: 'any' },
      group_by: 'user.name',
      notify: ['soc-email'],
      samples: 0,
      title: 'sudo by {{user.name}} on {{host.name}}',
      ask: { person: 'user.name', people: 'people.yaml', via: 'soc-tg', question: 'Did you run {{process.args}} on {{host.name}}?' },
    });
    servers.duo.users.set('frank.duo', { enrolled: true, push: 'allow' });
    await indexDocs(world.esUrl, index, [sudo(T - 30_000, 'frank'), sudo(T - 30_000, 'gail')]);
    const run = async (at: number) => {
      const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
      assert.equal(result.code, 0, result.stderr);
    };
    await run(T);
    const [question] = tg.inChat(5151);
    assert.match(question!.text, /^Did you run sudo -i on db-3\?/);
    assert.equal(tg.inChat(5252).length, 1);
    const FRANK = { id: 5151, first_name: 'Frank' };
    const GAIL = { id: 5252, first_name: 'Gail' };
    tg.say(FRANK, { id: 5151, type: 'private', first_name: 'Frank' }, 'yes', question);
    tg.say(GAIL, { id: 5252, type: 'private', first_name: 'Gail' }, 'Nope, not me');
    const polls = tg.polls.length;
    await run(T + MIN);
    assert.equal(tg.polls.length - polls, 1, 'one getUpdates per run, shared by the inbox and the conversations');
    assert.equal(conversation(project, 'frank').state, '2fa_pending');
    assert.equal(servers.duo.pushes.at(-1)!.username, 'frank.duo', 'the people file names the Duo user');
    assert.equal(conversation(project, 'gail').reason, 'said_no');
    assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['[ask: said no] sudo by gail on db-3']);
    assert.ok(!tg.sent.some((s) => /No notice with that reference/.test(s.visible)), 'the reply to the question is no command');
    await run(T + 2 * MIN);
    assert.equal(conversation(project, 'frank').state, 'confirmed');
    assert.match(tg.inChat(5151).at(-1)!.text, /Confirmed with 2FA/);
    assert.equal(world.smtp.messages.length, 1);
  } finally {
    await tg.close();
  }
});
