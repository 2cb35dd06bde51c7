import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { exampleConfig } from '../support/exampleConfig.js';
import { createIndex, indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { startDuoServer } from '../support/duoServer.js';
import { startSlackApiServer } from '../support/slackApiServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();

test('the bundled examples validate and fire: admin logons, a failed-logon burst, a silent index, the TheHive ladder, case feedback, an RDP logon that asks the person', async (t) => {
  const slackApi = await startSlackApiServer();
  const duo = await startDuoServer();
  t.after(() => Promise.all([slackApi.close(), duo.close()]));
  slackApi.addUser('U0DAVE', 'dave@example.org');
  const T = uniqueBaseTime();
  const suffix = Math.random().toString(36).slice(2, 8);
  const winlog = `winlogbeat-example-${suffix}`;
  await createIndex(world.esUrl, winlog);
  await createIndex(world.esUrl, `syslog-example-${suffix}`);
  const failures = Array.from({ length: 12 }, (_, i) => logonEvent(T - 4 * MIN + i * 10_000, 'alice', { code: '4625', ip: '198.51.100.7' }));
  const rdp = { ...logonEvent(T - MIN, 'dave', { host: 'app-7', ip: '203.0.113.7' }), winlog: { event_data: { TargetUserName: 'dave', LogonType: '10' } } };
  await indexDocs(world.esUrl, winlog, [logonEvent(T - MIN, 'Administrator', { ip: '10.1.2.3', host: 'dc02' }), logonEvent(T - MIN, 'bob'), ...failures, logonEvent(T - MIN, 'carol', { code: '4625' }), rdp]);

  const sla = fake.server.addAlert({ title: 'Beaconing from ws-17', severity: 3, _createdAt: T - 31 * MIN });
  const reported = fake.server.addCase({ title: 'Invoice 4411', _createdAt: T - 10 * MIN, tags: ['user_email:jane@example.org'], customFields: [{ name: 'classification', value: 'phishing' }] });
  const project = world.project();
  project.copyExamples();
  project.writeConfig(exampleConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url, twilio: servers.twilio, theHiveUrl: fake.server.base, slackApiUrl: slackApi.apiUrl, duoUrl: duo.base }));
  Object.assign(project.env, servers.secrets, { THEHIVE_API_KEY: fake.server.apiKey, SLACK_BOT_TOKEN: slackApi.token, DUO_IKEY: duo.ikey, DUO_SKEY: duo.skey });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stdout, 'OK: 6 alert(s) valid, 0 disabled, 7 channel(s)\n');

  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  const keys = Object.fromEntries(report.alerts.map((a: { name: string; findings: { key: string }[] }) => [a.name, a.findings.map((f) => f.key)]));
  assert.deepEqual(keys, { 'admin-logins': ['Administrator'], 'case-feedback': [reported._id], 'failed-logon-burst': ['alice'], 'hive-sla': [sla._id], 'index-silent': ['_all'], 'rdp-logon-ask': ['dave'] });
  const [question] = slackApi.channels.get(slackApi.dmOf('U0DAVE')) ?? [];
  assert.match(question!.text, /^Did you just log on to app-7 over remote desktop from 203\.0\.113\.7\?/, 'dave is asked in a Slack DM (people.yaml gives his email)');
  assert.deepEqual(report.conversations, [{ id: 'rdp-logon-ask/dave', person: 'dave', state: 'asked' }]);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['Admin logon: Administrator', 'No events in syslog-* for 15 minutes', 'Your report: Invoice 4411']);
  assert.deepEqual(world.smtp.messages.find((m) => m.subject.startsWith('Your report'))!.to, ['jane@example.org']);
  assert.deepEqual(servers.twilio.messages.map((m) => m.To), ['+15551230001'], 'the ladder\'s 30-minute SMS');
  assert.deepEqual(sla.tags, ['notified:first', 'notified:tier-1']);
  assert.ok(reported.tags.includes('mail sent'));
  assert.match(world.smtp.messages.find((m) => m.subject.startsWith('Admin'))!.raw, /last from 10\.1\.2\.3 on dc02/);
  const slackTexts = (world.slack.accepted() as { text: string }[]).map((p) => p.text).sort();
  assert.deepEqual(slackTexts, ['Admin logon: Administrator', 'Failed logon burst: alice', 'TheHive alert: Beaconing from ws-17 (severity 3, 31m old)']);
});
