// Issue 26 points 1 and 2 for Alertmanager: a `type: alertmanager` channel posts each notice as an API v2 alert to
// every url, with labels from the finding (clean, cut), and ends exactly that alert (endsAt) when the key resolves.
// Driven through the CLI against OpenSearch and two fake Alertmanagers (a cluster).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentId } from '../../src/notify/incidentId.js';
import { useAlertmanagerServers } from '../support/alertmanagerServer.js';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { pagingProject, runOk as runAt } from '../support/channelRuns.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const am = useAlertmanagerServers(2);

/** A project whose logon alert (a key per user, resolved after one quiet run) notifies an alertmanager channel on both fakes. */
async function amProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  return pagingProject(world, 'am-channel', {
    am: {
      type: 'alertmanager',
      urls: am.servers.map((s) => s.base),
      labels: { severity: 'warning', host: '{{host.name}}' },
      timeout: '3s',
      ...channel,
    },
  }, alert);
}

const posts = (i: number) => am.servers[i]!.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/alerts');

test('a trigger fires one alert on every Alertmanager (labels from the finding, alertname, alertcron_id; summary and description); a repeat renews the same alert; the resolve ends it there with endsAt = now - 5 s', async () => {
  const T = uniqueBaseTime();
  for (const s of am.servers) s.now = () => T;
  const { project, logon } = await amProject();
  await logon(T - 30_000, 'root');
  await runAt(project, T);
  const labels = { severity: 'warning', host: 'dc01', alertname: 'admin-logons', alertcron_id: incidentId('admin-logons', 'root') };
  for (const s of am.servers) {
    assert.deepEqual(s.active().map((a) => a.labels), [labels]);
    assert.deepEqual(s.active()[0]!.annotations, { summary: 'Admin logon: root', description: '1 logons to root from 10.0.0.5' });
    assert.equal(s.active()[0]!.startsAt, T);
    assert.ok(s.active()[0]!.timeout, 'sent without endsAt: Alertmanager\'s resolve_timeout applies');
  }
  const sent = project.state().sent.filter((s: { channel: string }) => s.channel === 'am');
  assert.deepEqual(sent[0].receipt, { id: labels.alertcron_id, detail: labels }, 'the receipt keeps the labels for the resolve');

  await logon(T + 30_000, 'root');
  for (const s of am.servers) s.now = () => T + MIN;
  await runAt(project, T + MIN);
  for (const s of am.servers) assert.equal(s.alerts.size, 1, 'the repeat renewed the same alert (same labels)');

  for (const s of am.servers) s.now = () => T + 2 * MIN;
  await runAt(project, T + 2 * MIN);
  for (const s of am.servers) {
    assert.deepEqual(s.active(), [], 'resolved');
    const [ended] = s.resolved();
    assert.deepEqual(ended!.labels, labels, 'the very alert the trigger opened');
    assert.equal(ended!.endsAt, T + 2 * MIN - 5000);
    assert.equal(ended!.startsAt, T, 'Alertmanager keeps the earliest startsAt');
    assert.match(ended!.annotations.summary!, /^Resolved: Admin logon: root/);
    const body = JSON.parse(s.requests.at(-1)!.body) as Record<string, unknown>[];
    assert.equal(body[0]!.startsAt, undefined);
    assert.equal(body[0]!.endsAt, iso(T + 2 * MIN - 5000));
  }
});

test('an Alertmanager whose clock is 3 s behind alertcron\'s still resolves an alert sent with resolve_timeout (the resolve\'s endsAt is 5 s in the past)', async () => {
  const T = uniqueBaseTime();
  for (const s of am.servers) s.now = () => T;
  const { project, logon } = await amProject({ resolve_timeout: '1h' });
  await logon(T - 30_000, 'root');
  await runAt(project, T);
  for (const s of am.servers) assert.equal(s.active().length, 1);
  for (const s of am.servers) s.now = () => T + MIN - 3000;
  await runAt(project, T + MIN);
  for (const s of am.servers) {
    assert.deepEqual(s.active(), [], 'resolved although endsAt = alertcron\'s now is in this Alertmanager\'s future');
    assert.equal(s.resolved()[0]!.endsAt, T + MIN - 5000);
  }
});

test('a repeat from another host renews the alert the key\'s first notice opened (its labels kept, the current text in the annotations), the resolve ends it; the next episode opens an alert with its own labels', async () => {
  const T = uniqueBaseTime();
  for (const s of am.servers) s.now = () => T;
  const { project, logon } = await amProject({ resolve_timeout: '1h' }, { message: '{{count}} logons to {{key}} on {{host.name}}' });
  await logon(T - 30_000, 'root', { host: { name: 'dc01' } });
  await runAt(project, T);
  const labels = { severity: 'warning', host: 'dc01', alertname: 'admin-logons', alertcron_id: incidentId('admin-logons', 'root') };

  await logon(T + 30_000, 'root', { host: { name: 'dc02' } });
  for (const s of am.servers) s.now = () => T + MIN;
  await runAt(project, T + MIN);
  for (const s of am.servers) {
    assert.deepEqual([...s.alerts.values()].map((a) => a.labels), [labels], 'one alert: the repeat renewed the one host dc01 opened');
    assert.match(s.active()[0]!.annotations.description!, /on dc02/, 'the repeat\'s own text');
    assert.equal(s.active()[0]!.endsAt, T + MIN + 60 * MIN, 'renewed: resolve_timeout from the repeat');
  }

  for (const s of am.servers) s.now = () => T + 2 * MIN;
  await runAt(project, T + 2 * MIN);
  for (const s of am.servers) {
    assert.deepEqual(s.active(), [], 'the resolve ended the alert the episode fired (nothing left firing until its endsAt)');
    assert.deepEqual(s.resolved().map((a) => a.labels), [labels]);
  }

  // A new episode: its first notice opens an alert with the labels of its own finding.
  await logon(T + 2 * MIN + 30_000, 'root', { host: { name: 'dc03' } });
  for (const s of am.servers) s.now = () => T + 3 * MIN;
  await runAt(project, T + 3 * MIN);
  for (const s of am.servers) assert.deepEqual(s.active().map((a) => a.labels), [{ ...labels, host: 'dc03' }]);
});

test('resolve_timeout sets endsAt = now + resolve_timeout on each notice; Basic auth; annotations templates', async () => {
  const T = uniqueBaseTime();
  for (const s of am.servers) {
    s.now = () => T;
    s.basic = { user: 'alertcron', password: 'am-password-SECRET-1717' };
  }
  const { project, logon } = await amProject({ resolve_timeout: '1h', username: 'alertcron', password: '${AM_PASSWORD}', annotations: { summary: '{{title}}', runbook: 'https://wiki.example/{{alert}}' } });
  project.env.AM_PASSWORD = 'am-password-SECRET-1717';
  await logon(T - 30_000, 'root');
  await runAt(project, T);
  for (const s of am.servers) {
    const [alert] = s.active();
    assert.equal(alert!.endsAt, T + 60 * MIN);
    assert.equal(alert!.timeout, false);
    assert.deepEqual(alert!.annotations, { summary: 'Admin logon: root', runbook: 'https://wiki.example/admin-logons' });
  }

  // A wrong password: refused for good (401), one clear line, the password nowhere.
  const wrong = await amProject({ username: 'alertcron', password: '${AM_PASSWORD}' });
  wrong.project.env.AM_PASSWORD = 'wrong-password-SECRET-9191';
  await wrong.logon(T - 30_000, 'admin');
  const refused = await wrong.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Alertmanager at http:\/\/127\.0\.0\.1:\d+ answered HTTP 401 Unauthorized/);
  assert.ok(!JSON.stringify([refused, wrong.project.state(), wrong.project.audit()]).includes('wrong-password-SECRET-9191'));
});

test('one Alertmanager down: the other gets the alert now; the delivery stays pending for the down one alone, which gets it next run (the up one is not sent it again)', async () => {
  const T = uniqueBaseTime();
  const [first, second] = am.servers;
  second!.unavailable = 10;
  const { project, logon } = await amProject({}, { throttle: '1h' });
  await logon(T - 30_000, 'root');
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(result.code, 0, 'a delivery is left pending');
  assert.match(result.stderr, /answered HTTP 503 .*\(1 of 2 recipients still owed\)/);
  assert.equal(first!.alerts.size, 1);
  assert.equal(second!.alerts.size, 0);
  const pending = project.state().pending.filter((p: { channel: string }) => p.channel === 'am');
  assert.deepEqual(pending.map((p: { to?: string[] }) => p.to), [[second!.base]], 'owed to the down Alertmanager alone');

  // Still matching (throttled for an hour): the pending delivery goes to the Alertmanager that still owes it.
  second!.unavailable = 0;
  await logon(T + 30_000, 'root');
  await runAt(project, T + MIN);
  assert.equal(posts(0).length, 1, 'the one that had it is not sent it again');
  assert.equal(second!.alerts.size, 1);
  assert.deepEqual(project.state().pending, []);
});

test('429 is retried after Retry-After within the run', async () => {
  const T = uniqueBaseTime();
  am.servers[0]!.busy = 1;
  const { project, logon } = await amProject({ urls: [am.servers[0]!.base] });
  await logon(T - 30_000, 'root');
  const started = Date.now();
  await runAt(project, T);
  assert.ok(Date.now() - started >= 1000, 'waited for Retry-After: 1');
  assert.equal(posts(0).length, 2);
  assert.equal(am.servers[0]!.alerts.size, 1);
});

test('hostile finding values are clean, inert data: label values one line without control or direction characters, cut to 128; annotations keep lines but no control characters; no Slack or chat mention, link or entity (look-alikes), annotations no styling; Alertmanager accepts them', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await amProject({ labels: { host: '{{evil}}', user: '{{markdown}} {{long}}', odd: '{{broken}} {{rtl}}' } }, { message: HOSTILE_MESSAGE });
  await logon(T - 30_000, 'root', HOSTILE_FIELDS);
  await runAt(project, T);
  for (const s of am.servers) {
    const [alert] = [...s.alerts.values()];
    assert.ok(alert);
    for (const value of Object.values(alert.labels)) {
      assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e\u200d]/.test(value), JSON.stringify(value));
      assert.ok(value.length <= 128);
    }
    assert.ok(alert.labels.host!.startsWith('\u2039!channel\u203a \u2039\uff20U024BE7LH\u203a \u2039https[:]//evil.example|click\u203a'), 'the text is kept, with look-alikes: no mention, no link');
    assert.equal(alert.labels.odd, 'bad\ufffdhalf invoicefdp.exe שלום مرحبا');
    const description = alert.annotations.description!;
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e\ud800]/.test(description));
    assert.ok(description.includes('[click|https[:]//evil.example]'));
    assert.ok(description.includes('\uff20everyone \uff20here \uff20channel'), 'no chat mention');
    assert.ok(description.includes('\u2217\u2217bold\u2217\u2217 \u02cdit\u02cd'), 'no styling in annotations');
    assert.ok(description.includes('admin\uff20evil.example') && description.includes('www[.]evil.example'));
    for (const value of [...Object.values(alert.labels), ...Object.values(alert.annotations)]) {
      assert.ok(!/[<>&@]|:\/\/|www\./i.test(value), `a Slack or chat control sequence: ${value.slice(0, 200)}`);
    }
  }
  const labels = { user: 'svc_backup.01', severity: 'warning' };
  const plain = await amProject({ labels: { user: '{{key}}', severity: 'warning' }, annotations: { summary: '{{title}}', runbook: 'https://wiki.example/{{alert}}' } });
  await plain.logon(T - 30_000, 'svc_backup.01');
  await runAt(plain.project, T);
  for (const s of am.servers) {
    const [alert] = s.active().filter((a) => a.labels.user === labels.user);
    assert.ok(alert, 'a label keeps `_` and `.`: names people route and silence on');
    assert.equal(alert.annotations.runbook, 'https://wiki.example/admin-logons', 'the channel\'s own template text is not changed');
    assert.equal(alert.annotations.summary, 'Admin logon: svc\u02cdbackup.01');
  }
});

test('validate names the file, the place and the fix: a label name Alertmanager refuses, alertname set by hand, credentials in a url, the same url twice', async () => {
  for (const [channel, expected] of [
    [{ labels: { 'bad-name': 'x' } }, /\/channels\/am\/labels\/bad-name: the name "bad-name" must be a label name as Alertmanager takes it/],
    [{ labels: { alertname: 'x' } }, /\/channels\/am\/labels\/alertname: the name "alertname" must be a label name as Alertmanager takes it: a letter or _, then letters, digits and _ \(at most 64\); alertname and alertcron_id are set by alertcron/],
    [{ urls: ['http://user:pw@127.0.0.1:9093'] }, /\/channels\/am: credentials must not be part of an Alertmanager url: use username and password beside urls/],
    [{ urls: ['http://127.0.0.1:9093', 'http://127.0.0.1:9093/'] }, /\/channels\/am: urls lists the same Alertmanager twice: list each once/],
  ] as const) {
    const { project } = await amProject(channel);
    const check = await project.run(['validate']);
    assert.equal(check.code, 2, JSON.stringify(channel));
    assert.match(check.stderr, new RegExp(`^alertcron\\.yaml:\\d+:\\d+ ${expected.source}`, 'm'));
  }
});

test('a digest is an alert of its own (its id from the period, never a key\'s), with the table in its description', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await amProject({}, { digest: { every: '2m' } });
  await logon(T - 30_000, 'root');
  await logon(T - 20_000, 'admin');
  await runAt(project, T);
  await runAt(project, T + 3 * MIN);
  for (const s of am.servers) {
    const alerts = [...s.alerts.values()];
    assert.equal(alerts.length, 1, 'one alert for the digest, none per key');
    const [digest] = alerts;
    assert.equal(digest!.labels.alertname, 'admin-logons');
    assert.match(digest!.labels.alertcron_id!, /^alertcron-[0-9a-f]{40}$/);
    assert.ok(![incidentId('admin-logons', 'root'), incidentId('admin-logons', 'admin')].includes(digest!.labels.alertcron_id!));
    assert.match(digest!.annotations.description!, /root/);
    assert.match(digest!.annotations.description!, /admin/);
  }
});

test('channel test am posts a test alert to every Alertmanager', async () => {
  const { project } = await amProject();
  const result = await project.run(['channel', 'test', 'am']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /channel am \(alertmanager\) -> Alertmanager http:\/\/127\.0\.0\.1:\d+, Alertmanager http:\/\/127\.0\.0\.1:\d+: test notice sent/);
  for (const s of am.servers) assert.equal(s.alerts.size, 1);
});
