import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIndex, indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

test('the bundled examples validate and fire on seeded events: admin logons, a failed-logon burst, a silent index', async () => {
  const T = uniqueBaseTime();
  const suffix = Math.random().toString(36).slice(2, 8);
  const winlog = `winlogbeat-example-${suffix}`;
  await createIndex(world.esUrl, winlog);
  await createIndex(world.esUrl, `syslog-example-${suffix}`);
  const failures = Array.from({ length: 12 }, (_, i) => logonEvent(T - 4 * MIN + i * 10_000, 'alice', { code: '4625', ip: '198.51.100.7' }));
  await indexDocs(world.esUrl, winlog, [logonEvent(T - MIN, 'Administrator', { ip: '10.1.2.3', host: 'dc02' }), logonEvent(T - MIN, 'bob'), ...failures, logonEvent(T - MIN, 'carol', { code: '4625' })]);

  const project = world.project();
  project.copyExamples();
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stdout, 'OK: 3 alert(s) valid, 0 disabled, 2 channel(s)\n');

  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  const keys = Object.fromEntries(report.alerts.map((a: { name: string; findings: { key: string }[] }) => [a.name, a.findings.map((f) => f.key)]));
  assert.deepEqual(keys, { 'admin-logins': ['Administrator'], 'failed-logon-burst': ['alice'], 'index-silent': ['_all'] });
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['Admin logon: Administrator', 'No events in syslog-* for 15 minutes']);
  assert.match(world.smtp.messages.find((m) => m.subject.startsWith('Admin'))!.raw, /last from 10\.1\.2\.3 on dc02/);
  const slackTexts = (world.slack.accepted() as { text: string }[]).map((p) => p.text).sort();
  assert.deepEqual(slackTexts, ['Admin logon: Administrator', 'Failed logon burst: alice']);
});
