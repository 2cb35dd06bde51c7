import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { exampleConfig } from '../support/exampleConfig.js';
import { createIndex, indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxPatrolEnv, useMaxPatrolServer } from '../support/maxpatrolServer.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();
const mp = useMaxPatrolServer();

test('the bundled examples validate and fire: admin logons, a failed-logon burst, a silent index, the TheHive ladder, case feedback, a MaxPatrol incident', async () => {
  const T = uniqueBaseTime();
  const suffix = Math.random().toString(36).slice(2, 8);
  const winlog = `winlogbeat-example-${suffix}`;
  await createIndex(world.esUrl, winlog);
  await createIndex(world.esUrl, `syslog-example-${suffix}`);
  const failures = Array.from({ length: 12 }, (_, i) => logonEvent(T - 4 * MIN + i * 10_000, 'alice', { code: '4625', ip: '198.51.100.7' }));
  await indexDocs(world.esUrl, winlog, [logonEvent(T - MIN, 'Administrator', { ip: '10.1.2.3', host: 'dc02' }), logonEvent(T - MIN, 'bob'), ...failures, logonEvent(T - MIN, 'carol', { code: '4625' })]);

  const sla = fake.server.addAlert({ title: 'Beaconing from ws-17', severity: 3, _createdAt: T - 31 * MIN });
  const reported = fake.server.addCase({ title: 'Invoice 4411', _createdAt: T - 10 * MIN, tags: ['user_email:jane@example.org'], customFields: [{ name: 'classification', value: 'phishing' }] });
  const incident = mp.server.addIncident({ created: T - 5 * MIN, name: 'Beaconing to a rare domain', severity: 'High' });
  const project = world.project();
  project.copyExamples();
  writeFileSync(join(project.dir, 'mp-ca.pem'), mp.server.ca);
  const maxPatrol = { apiUrl: mp.server.apiUrl, tokenUrl: mp.server.tokenUrl, caFile: 'mp-ca.pem', username: mp.server.username };
  project.writeConfig(exampleConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url, twilio: servers.twilio, theHiveUrl: fake.server.base, maxPatrol }));
  Object.assign(project.env, servers.secrets, { THEHIVE_API_KEY: fake.server.apiKey }, maxPatrolEnv(mp.server));
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stdout, 'OK: 6 alert(s) valid, 0 disabled, 6 channel(s)\n');

  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  const keys = Object.fromEntries(report.alerts.map((a: { name: string; findings: { key: string }[] }) => [a.name, a.findings.map((f) => f.key)]));
  assert.deepEqual(keys, { 'admin-logins': ['Administrator'], 'case-feedback': [reported._id], 'failed-logon-burst': ['alice'], 'hive-sla': [sla._id], 'index-silent': ['_all'], 'maxpatrol-incidents': [incident.key] });
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['Admin logon: Administrator', 'No events in syslog-* for 15 minutes', 'Your report: Invoice 4411']);
  assert.deepEqual(world.smtp.messages.find((m) => m.subject.startsWith('Your report'))!.to, ['jane@example.org']);
  assert.deepEqual(servers.twilio.messages.map((m) => m.To), ['+15551230001'], 'the ladder\'s 30-minute SMS');
  assert.deepEqual(sla.tags, ['notified:first', 'notified:tier-1']);
  assert.ok(reported.tags.includes('mail sent'));
  assert.match(world.smtp.messages.find((m) => m.subject.startsWith('Admin'))!.raw, /last from 10\.1\.2\.3 on dc02/);
  const slackTexts = (world.slack.accepted() as { text: string }[]).map((p) => p.text).sort();
  assert.deepEqual(slackTexts, ['Admin logon: Administrator', 'Failed logon burst: alice', 'MaxPatrol INC-1: Beaconing to a rare domain (High)', 'TheHive alert: Beaconing from ws-17 (severity 3, 31m old)']);
});
