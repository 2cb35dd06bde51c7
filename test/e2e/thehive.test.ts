import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { hiveLadderProject } from '../support/hiveLadder.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();

/** A project with the SLA ladder of the seed: 30 min SMS on-call, 45 min call on-call, 60 min call seniors. */
const ladderProject = (extra: Record<string, unknown> = {}) => hiveLadderProject(world, servers, fake, extra);

test('the SLA ladder climbs one tier at a time, each tier once, from a first notice with the link and the commands', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject();
  const alert = fake.server.addAlert({ title: 'Suspicious logon', description: 'from 203.0.113.9', severity: 3, _createdAt: T });
  fake.server.addAlert({ title: 'Low noise', severity: 1, _createdAt: T });
  const at = async (minutes: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
  };
  await at(1);
  assert.deepEqual(sent(), { slack: ['TheHive alert: Suspicious logon (severity 3, 1m old)'], sms: [], calls: [] });
  const body = JSON.stringify(world.slack.accepted()[0]);
  assert.ok(body.includes(`${fake.server.base}/alerts/${encodeURIComponent(alert._id)}/details`), 'the link to the alert');
  assert.ok(body.includes(`alertcron hive promote ${alert._id}`) && body.includes(`alertcron hive ignore ${alert._id} --for 30m`), 'the exact commands');
  assert.equal(fake.server.requests[0]!.headers['x-organisation'], 'soc');
  await at(20);
  await at(31);
  assert.deepEqual(sent().sms, ['+15551230001'], 'tier 1 at 30 minutes');
  await at(35);
  assert.deepEqual(sent().sms, ['+15551230001'], 'no repeat inside a tier');
  await at(46);
  assert.deepEqual(sent().calls, ['+15551230001'], 'tier 2 at 45 minutes');
  await at(61);
  assert.deepEqual(sent().calls, ['+15551230001', '+15551239999'], 'tier 3 at 60 minutes: the seniors');
  await at(90);
  assert.deepEqual(sent(), { slack: ['TheHive alert: Suspicious logon (severity 3, 1m old)'], sms: ['+15551230001'], calls: ['+15551230001', '+15551239999'] });
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => e.reason), ['first', 'tier-1', 'tier-2', 'tier-3']);
});

test('after 50 minutes of downtime a run sends the tier due now, not every tier it missed', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject();
  fake.server.addAlert({ title: 'Malware found', severity: 4, _createdAt: T });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + 50 * MIN) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(sent(), { slack: ['TheHive alert: Malware found (severity 4, 1m old)'], sms: [], calls: ['+15551230001'] });
});

test('high-risk words jump straight to the top tier', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject();
  fake.server.addAlert({ title: 'RANSOMWARE note on fileserver', severity: 3, _createdAt: T });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.deepEqual(sent().calls, ['+15551239999']);
  assert.deepEqual(sent().sms, []);
});

test('hive promote creates a case and prints its link; a promoted alert leaves the queue, stops climbing and gets a resolved notice', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject({ resolve_after: 1 });
  const alert = fake.server.addAlert({ title: 'Phishing click', severity: 3, _createdAt: T });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const promote = await project.run(['hive', 'promote', alert._id]);
  assert.equal(promote.code, 0, promote.stderr);
  assert.equal(promote.stdout, `case #1 created from alert ${alert._id}: ${fake.server.base}/cases/~c1/details\n`);
  assert.equal(fake.server.alerts[0]!.stage, 'Imported');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 31 * MIN) });
  assert.deepEqual(sent().sms, [], 'no longer in the queue: no escalation');
  assert.deepEqual(sent().slack, ['TheHive alert: Phishing click (severity 3, 1m old)', 'Resolved: TheHive alert: Phishing click (severity 3, 1m old)']);
  // Promoting again (from the shell, or a chat press replayed after a kill) reports the case instead of making a second one.
  const again = await project.run(['hive', 'promote', alert._id]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `alert ${alert._id} was already promoted to case ~c1: ${fake.server.base}/cases/~c1/details\n`);
  assert.equal(fake.server.cases.length, 1);
});

test('hive ignore stops escalation for that alert for a while, then the ladder resumes', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject();
  const alert = fake.server.addAlert({ title: 'Port scan', severity: 3, _createdAt: T });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const ignore = await project.run(['hive', 'ignore', alert._id, '--for', '40m'], { ALERTCRON_NOW: iso(T + 5 * MIN), USER: 'erin' });
  assert.equal(ignore.code, 0, ignore.stderr);
  assert.match(ignore.stdout, new RegExp(`^ignoring: [0-9a-f]{8} {2}\\* {2}key "${alert._id}" {2}until ${iso(T + 45 * MIN)} {2}by erin`));
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 31 * MIN) });
  assert.deepEqual(sent().sms, [], 'ignored');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 46 * MIN) });
  assert.deepEqual(sent().calls, ['+15551230001'], 'after the ignore ends, the tier due now');
});

test('TheHive errors are clear: a wrong API key (401), a wrong URL (404), an unreachable server', async () => {
  const { project, writeHive } = ladderProject();
  const wrongKey = await project.run(['run'], { THEHIVE_API_KEY: 'wrong-key-SECRET' });
  assert.equal(wrongKey.code, 3);
  assert.equal(wrongKey.stderr, `alert hive-sla: TheHive at ${fake.server.base} answered HTTP 401 AuthenticationError: Authentication failure (check thehive.api_key and, on a multi-organisation instance, thehive.organisation)\n`);
  writeHive({ url: `${fake.server.base}/thehive4`, api_key: '${THEHIVE_API_KEY}' });
  const wrongUrl = await project.run(['run']);
  assert.match(wrongUrl.stderr, /answered HTTP 404 NotFound: .* \(check thehive\.url: alertcron needs the v1 API of TheHive 4\.1\+ or 5\)\n$/);
  writeHive({ url: 'http://127.0.0.1:9', api_key: '${THEHIVE_API_KEY}' });
  const down = await project.run(['run']);
  assert.equal(down.stderr, 'alert hive-sla: cannot reach TheHive at http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9\n');
  assert.ok(!(wrongKey.stderr + wrongUrl.stderr + down.stderr).includes(fake.server.apiKey));
});

test('write-back: each delivered notice tags the TheHive alert once; a failed tag write is retried next run', async () => {
  const T = uniqueBaseTime();
  const { project } = ladderProject({ write_back_tag: 'notified:{{reason}}' });
  const alert = fake.server.addAlert({ title: 'Beaconing', severity: 3, _createdAt: T });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.deepEqual(alert.tags, ['notified:first']);
  fake.server.patchFailures = 2; // the attempt and its in-run retry
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + 31 * MIN) });
  assert.equal(failed.code, 4);
  assert.match(failed.stderr, /-> thehive.tag: TheHive at .* answered HTTP 500 InternalError: database unavailable \(will retry next run\)/);
  assert.deepEqual(alert.tags, ['notified:first'], 'the SMS went out, its tag did not');
  assert.equal(servers.twilio.messages.length, 1);
  const retried = await project.run(['run'], { ALERTCRON_NOW: iso(T + 32 * MIN) });
  assert.equal(retried.code, 0, retried.stderr);
  assert.deepEqual(alert.tags, ['notified:first', 'notified:tier-1']);
  assert.equal(servers.twilio.messages.length, 1, 'the SMS is not repeated');
});

test('case feedback: the reporter gets the mail of the case\'s classification once, then the case is tagged "mail sent"', async () => {
  const T = uniqueBaseTime();
  const { project, writeHive } = ladderProject();
  writeHive({ url: fake.server.base, api_key: '${THEHIVE_API_KEY}' });
  project.writeAlert('hive-sla', { source: 'thehive', notify: ['soc-slack'] });
  project.writeAlert('case-feedback', {
    source: 'thehive',
    thehive: { object: 'case', without_tags: ['mail sent'] },
    notify: ['soc-email'],
    feedback: {
      recipient_tag: 'user_email',
      allowed_domains: ['example.org'],
      choose_by: 'custom.classification',
      templates: {
        phishing: { title: 'Your report: {{title}} was phishing', message: 'Thank you. The message you reported was a phishing attempt; do not open it.' },
        spam: { title: 'Your report: {{title}} was spam', message: 'Thank you: it was spam.' },
        legitimate: { title: 'Your report: {{title}} was legitimate', message: 'It was safe.' },
      },
    },
    write_back_tag: 'mail sent',
  });
  const phishing = fake.server.addCase({ title: 'Invoice mail', _createdAt: T, tags: ['user_email:jane@example.org'], customFields: [{ name: 'classification', value: 'phishing' }] });
  fake.server.addCase({ title: 'Lottery', _createdAt: T, tags: ['user_email:bob@example.org'], customFields: [{ name: 'classification', value: 'spam' }] });
  fake.server.addCase({ title: 'Forwarded', _createdAt: T, tags: ['user_email:eve@attacker.example'], customFields: [{ name: 'classification', value: 'legitimate' }] });
  fake.server.addCase({ title: 'Done before', _createdAt: T, tags: ['user_email:old@example.org', 'mail sent'], customFields: [{ name: 'classification', value: 'spam' }] });
  fake.server.patchFailures = 4; // both tag writes of the first run fail, with their in-run retries

  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(first.code, 4, 'the tag writes are pending');
  assert.deepEqual(world.smtp.messages.map((m) => [m.to, m.subject]).sort(), [
    [['bob@example.org'], 'Your report: Lottery was spam'],
    [['jane@example.org'], 'Your report: Invoice mail was phishing'],
  ]);
  assert.match(first.stderr, /^warning: alert case-feedback key "~\d+": feedback mail not sent: attacker\.example is not in allowed_domains$/m);

  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(world.smtp.messages.length, 2, 'never sent twice, although the cases were not tagged yet');
  assert.ok(fake.server.caseList.filter((c) => c.tags.includes('mail sent')).length === 3, 'both mailed cases are tagged now');
  assert.ok(phishing.tags.includes('mail sent'));
  assert.match(second.stderr, /attacker\.example is not in allowed_domains/);
});

test('feedback templates are checked against the findings that select them: one no case selects is not "empty", one whose cases lack its field is', async () => {
  const T = uniqueBaseTime();
  const { project, writeHive } = ladderProject();
  writeHive({ url: fake.server.base, api_key: '${THEHIVE_API_KEY}' });
  project.writeAlert('case-feedback', {
    source: 'thehive',
    thehive: { object: 'case' },
    notify: ['soc-email'],
    feedback: {
      recipient_tag: 'user_email',
      choose_by: 'custom.classification',
      templates: {
        // Chosen by the phishing case, which has no lure field (the spam case has one).
        phishing: { title: 'Your report: {{title}} was phishing', message: 'The lure: {{custom.lure}}.' },
        spam: { title: 'Your report: {{title}} was spam', message: 'Thank you: it was spam ({{custom.lure}}).' },
        // No case is legitimate this time: its field cannot be judged.
        legitimate: { title: 'Your report: {{title}} was legitimate', message: 'It was safe: {{custom.verdict_note}}.' },
      },
    },
  });
  fake.server.addCase({ title: 'Invoice mail', _createdAt: T, tags: ['user_email:jane@example.org'], customFields: [{ name: 'classification', value: 'phishing' }] });
  fake.server.addCase({ title: 'Lottery', _createdAt: T, tags: ['user_email:bob@example.org'], customFields: [{ name: 'classification', value: 'spam' }, { name: 'lure', value: 'a prize' }] });
  const result = await project.run(['test', 'case-feedback'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(result.code, 0, result.stderr);
  const empty = result.stderr.split('\n').filter((line) => line.includes('so it renders empty'));
  assert.equal(empty.length, 1, result.stderr);
  assert.match(empty[0]!, /feedback template phishing message names \{\{custom\.lure\}\}, but none of the 1 finding\(s\) that select it has it/);
});

test('self-monitoring and status name TheHive as a source of its own: told once after after_failures runs, once when it is back', async () => {
  const T = uniqueBaseTime();
  const { project, writeHive } = ladderProject();
  const hive = (url: string) => writeHive({ url, api_key: '${THEHIVE_API_KEY}', organisation: 'soc', timeout: '3s' }, { monitoring: { notify: ['soc-slack'], after_failures: 2 } });
  hive('http://127.0.0.1:9');
  for (const minute of [1, 2, 3]) {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + minute * MIN) });
    assert.equal(result.code, 3, result.stderr);
  }
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['alertcron cannot reach thehive']);
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.match(status.stdout, /^source thehive: failing for 3 run\(s\) since .*: cannot reach TheHive at http:\/\/127\.0\.0\.1:9/m);
  hive(fake.server.base);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + 4 * MIN) })).code, 0);
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['alertcron cannot reach thehive', 'alertcron reaches thehive again']);
  assert.deepEqual(project.state().sources.thehive, { failures: 0 });
});

test('a run with 12 TheHive alerts due (their queries at once on the run deadline) says nothing on stderr: no MaxListenersExceededWarning mailed by cron', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject();
  for (let n = 0; n < 12; n++) project.writeAlert(`hive-many-${n}`, { source: 'thehive', thehive: { severity: [3, 4] }, notify: ['soc-slack'] });
  fake.server.addAlert({ title: 'Seen by every alert', severity: 3, _createdAt: T });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /Warning/);
  assert.equal(sent().slack.length, 13, 'each alert (the ladder and the 12) told once');
});
