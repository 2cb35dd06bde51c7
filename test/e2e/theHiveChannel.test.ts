// Issue 25 point 3: a `type: thehive` channel turns each notice into one TheHive alert, deduplicated by a sourceRef
// derived from the alert, key and window, so that a retried or replayed create is never a second alert.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig, REPO_ROOT } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useTheHiveServer, type FakeHiveAlert } from '../support/theHiveServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const fake = useTheHiveServer();

/** The TheHive channel the tests use: every setting of the fixed YAML, the connection from the thehive: section. */
const HIVE_CHANNEL = {
  type: 'thehive',
  title: '{{title}}',
  description: 'Found by alertcron.\n\n{{message}}\n\nUser: {{winlog.event_data.TargetUserName}}',
  alert_type: 'alertcron',
  source: 'alertcron',
  severity: 'high',
  tlp: 'amber',
  pap: 1,
  tags: ['alertcron', 'rule:{{alert}}', 'user:{{winlog.event_data.TargetUserName}}'],
  custom_fields: { detector: '{{alert}}' },
  observables: [
    { field: 'source.ip', type: 'ip' },
    { field: 'host.name', type: 'hostname', tags: ['dc'] },
    { field: 'host.name', type: 'hostname' },
    { field: 'file.hash.sha256', type: 'hash', tags: ['sha256'] },
  ],
  timeout: '3s',
};

/** A project whose admin-logon alert notifies the TheHive channel (and the thehive: section that it connects through). */
async function hiveProject(channel: Record<string, unknown> = {}, section: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const index = await world.index('hive-channel');
  const project = world.project({
    extraConfig: {
      thehive: { url: fake.server.base, api_key: '${THEHIVE_API_KEY}', organisation: 'soc', timeout: '3s', ...section },
      channels: { ...(defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }).channels as object), hive: { ...HIVE_CHANNEL, ...channel } },
    },
  });
  project.env.THEHIVE_API_KEY = fake.server.apiKey;
  project.writeQuery('admin-logins.json', JSON.parse(readFileSync(join(REPO_ROOT, 'queries', 'admin-logins.json'), 'utf8')));
  project.writeAlert('admin-logons', {
    index,
    query: 'admin-logins.json',
    condition: { type: 'count', gte: 1 },
    group_by: 'winlog.event_data.TargetUserName',
    throttle: '30m',
    notify: ['hive'],
    title: 'Admin logon: {{key}}',
    message: '{{count}} logons to {{key}} from {{source.ip}} on {{host.name}}',
    ...alert,
  });
  return { index, project };
}

const creates = () => fake.server.requests.filter((r) => r.method === 'POST' && /^\/api(\/v1)?\/alert$/.test(r.path));
const sentIds = (state: { sent?: { channel: string; receipt?: { id?: string } }[] }) => (state.sent ?? []).filter((s) => s.channel === 'hive').map((s) => s.receipt?.id);
/** Everything a run leaves for people and files: its output, the state and the audit log. */
const everything = (project: { state(): unknown; audit(): unknown[] }, ...outputs: { stdout: string; stderr: string }[]) =>
  JSON.stringify([outputs, project.state(), project.audit()]);

test('a finding becomes one TheHive 5 alert: title, description, severity, tags, TLP/PAP, custom field and the observables its fields give; the receipt keeps its id', async () => {
  const T = uniqueBaseTime();
  fake.server.now = () => T;
  const { index, project } = await hiveProject({}, {}, { samples: 0 });
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator', { ip: '203.0.113.7', host: 'dc01' })]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(creates().length, 1);
  assert.equal(creates()[0]!.path, '/api/v1/alert');
  assert.equal(creates()[0]!.headers['x-organisation'], 'soc');
  const [alert] = fake.server.alerts as FakeHiveAlert[];
  assert.ok(alert);
  assert.equal(alert.title, 'Admin logon: Administrator');
  assert.equal(alert.description, 'Found by alertcron.\n\n1 logons to Administrator from 203\\.0\\.113\\.7 on dc01\n\nUser: Administrator');
  assert.deepEqual([alert.severity, alert.tlp, alert.pap, alert.type, alert.source], [3, 2, 1, 'alertcron', 'alertcron']);
  assert.deepEqual(alert.tags, ['alertcron', 'rule:admin-logons', 'user:Administrator']);
  assert.deepEqual(alert.customFields, [{ name: 'detector', value: 'admin-logons' }]);
  // host.name mapped twice to hostname: one observable; file.hash.sha256 is not in the finding: none.
  assert.deepEqual(alert.observables, [
    { dataType: 'ip', data: '203.0.113.7', tags: [] },
    { dataType: 'hostname', data: 'dc01', tags: ['dc'] },
  ]);
  assert.match(String(alert.sourceRef), /^alertcron-[0-9a-f]{20}$/);
  assert.deepEqual(sentIds(project.state()), [alert._id], 'the receipt keeps TheHive\'s alert id');
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => e.channel), ['hive']);

  // Throttled next minute: nothing new; a new key in a later window is a second alert with another sourceRef.
  await indexDocs(world.esUrl, index, [logonEvent(T + 30 * 1000, 'Administrator'), logonEvent(T + 30 * 1000, 'admin')]);
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(fake.server.alerts.map((a) => a.title), ['Admin logon: Administrator', 'Admin logon: admin']);
  assert.notEqual(fake.server.alerts[1]!.sourceRef, alert.sourceRef);
});

test('a create that reached TheHive but answered 500 is retried, answered as a duplicate, and delivered with the existing alert\'s id: one alert', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await hiveProject();
  fake.server.createFailures = 1;
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(creates().length, 2, 'the create was retried');
  assert.equal(fake.server.alerts.length, 1, 'never a second alert');
  assert.deepEqual(sentIds(project.state()), [fake.server.alerts[0]!._id], 'delivered, with the id of the alert TheHive already had');
  assert.equal(project.state().pending.length, 0);
  assert.ok(fake.server.requests.some((r) => r.path.startsWith('/api/v1/query') && r.body.includes(String(fake.server.alerts[0]!.sourceRef))), 'found by its sourceRef');
});

test('a run killed after TheHive accepted the alert, before the state was saved: the next run sends it again, TheHive answers duplicate, and it is delivered once', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await hiveProject();
  fake.server.createHangs = 1;
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator')]);
  const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  let ended = false;
  child.on('close', () => (ended = true));
  while (fake.server.alerts.length === 0 && !ended) await Promise.race([fake.server.nextRequest(), new Promise((resolve) => setTimeout(resolve, 200))]);
  assert.ok(!ended, 'the run was still waiting for TheHive\'s answer');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  assert.ok(project.state().pending.some((p: { channel: string }) => p.channel === 'hive'), 'the delivery was pending when the run died');

  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(fake.server.alerts.length, 1, 'never a second alert');
  assert.equal(creates().length, 2);
  assert.deepEqual(sentIds(project.state()), [fake.server.alerts[0]!._id]);
  assert.equal(project.state().pending.length, 0);
});

test('TheHive 4.1 (version: 4): the alert is created at /api/alert with its observables as artifacts and custom fields as {name: {string}}', async () => {
  const T = uniqueBaseTime();
  fake.server.version = 4;
  const { index, project } = await hiveProject({}, { version: 4 });
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator', { ip: '198.51.100.4' })]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(creates().map((r) => r.path), ['/api/alert']);
  const body = JSON.parse(creates()[0]!.body) as Record<string, unknown>;
  assert.deepEqual(body.artifacts, [
    { dataType: 'ip', data: '198.51.100.4', tags: [] },
    { dataType: 'hostname', data: 'dc01', tags: ['dc'] },
  ]);
  assert.equal(body.observables, undefined);
  assert.deepEqual(body.customFields, { detector: { string: 'admin-logons', order: 0 } });
  assert.equal(body.tlp, 2);
  assert.equal(fake.server.alerts.length, 1);
  assert.deepEqual(sentIds(project.state()), [fake.server.alerts[0]!._id]);

  // Replayed (the same window again): TheHive 4.1's duplicate answer is recognised too.
  fake.server.createFailures = 1;
  fake.server.alerts.length = 0;
  const again = await hiveProject({}, { version: 4 });
  await indexDocs(world.esUrl, again.index, [logonEvent(T - MIN, 'Administrator')]);
  assert.equal((await again.project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  assert.equal(fake.server.alerts.length, 1);
  assert.deepEqual(sentIds(again.project.state()), [fake.server.alerts[0]!._id]);
});

test('hostile finding values land inert: markdown links, HTML and mentions escaped in the description, one clean line in title and tags, observables without control or invisible characters (their line breaks kept)', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await hiveProject({ tags: ['alertcron', 'host:{{host.name}}'], title: '{{title}} on {{host.name}}' });
  const host = '[click me](http://evil.example/x) <img src=x onerror=alert(1)> @channel **bold** www.evil.example\u202e\nline2';
  const ip = '10.0.0.9](javascript:alert(1))';
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator', { ip, host })]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const [alert] = fake.server.alerts;
  assert.ok(alert);
  const description = alert.description;
  // Every ASCII punctuation character of a value is backslash-escaped: no link, image, HTML or autolink can form.
  const values = description.slice('Found by alertcron.\n\n'.length, description.lastIndexOf('\n\nUser: '));
  assert.match(values, /^(?:\\[!-/:-@[-`{-~]|[^!-/:-@[-`{-~])*$/, 'every punctuation character of the values is escaped');
  assert.ok(description.includes('\\[click me\\]\\(http\\:\\/\\/evil\\.example\\/x\\)'), description);
  assert.ok(description.includes('\\<img src\\=x onerror\\=alert\\(1\\)\\>'), description);
  assert.ok(description.includes('\\@channel') && description.includes('www\\.evil\\.example'), description);
  assert.ok(!/[\u202e\u0007]/.test(description), 'no control or direction characters');
  assert.ok(description.startsWith('Found by alertcron.\n\n'), 'the operator\'s own markdown is kept');
  for (const line of [alert.title, ...alert.tags]) assert.ok(!/[\n\u202e\u0007]/.test(line), `one clean line: ${JSON.stringify(line)}`);
  assert.ok(alert.tags.some((t) => t.startsWith('host:[click me](http://evil.example/x)')), 'tags are plain text in TheHive, kept readable');
  assert.deepEqual((alert.observables as { data: string }[]).map((o) => o.data), [ip, host.replace('\u202e', '')], 'observable data is the value, cleaned of invisible characters');
  assert.ok(!everything(project, result).includes(fake.server.apiKey), 'the API key appears nowhere');
});

test('errors: a wrong key is one clear message and not retried; an unknown custom field is named; Retry-After is honoured', async () => {
  const T = uniqueBaseTime();
  const wrong = await hiveProject({ url: fake.server.base, api_key: '${OTHER_KEY}' });
  wrong.project.env.OTHER_KEY = 'not-the-key-SECRET-5555';
  await indexDocs(world.esUrl, wrong.index, [logonEvent(T - MIN, 'Administrator')]);
  const refused = await wrong.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(creates().length, 1, 'a 401 is not retried');
  assert.match(refused.stderr, /TheHive at http:\/\/127\.0\.0\.1:\d+ answered HTTP 401 AuthenticationError: Authentication failure \(check the channel's \(or the thehive: section's\) api_key/);
  assert.ok(!everything(wrong.project, refused).includes('not-the-key-SECRET-5555'), 'the key appears nowhere');

  fake.server.requests.length = 0;
  const unknown = await hiveProject({ custom_fields: { detector: '{{alert}}', playbook: 'x' } });
  await indexDocs(world.esUrl, unknown.index, [logonEvent(T - MIN, 'Administrator')]);
  const named = await unknown.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(creates().length, 1, 'a refused field is not retried');
  assert.match(named.stderr, /answered HTTP 404 NotFoundError: CustomField playbook not found \(create it in TheHive, or remove it from the channel\)/);

  fake.server.requests.length = 0;
  fake.server.createBusy = 1;
  const busy = await hiveProject();
  await indexDocs(world.esUrl, busy.index, [logonEvent(T - MIN, 'Administrator')]);
  const started = Date.now();
  const waited = await busy.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal(creates().length, 2);
  assert.ok(Date.now() - started >= 1000, 'the retry waited for Retry-After: 1');
  assert.equal(sentIds(busy.project.state()).length, 1);
});

test('channel test hive creates one test alert and prints its id; with no url and no thehive: section validate and channel test say what to set', async () => {
  const { project } = await hiveProject();
  const result = await project.run(['channel', 'test', 'hive']);
  assert.equal(result.code, 0, result.stderr);
  const [alert] = fake.server.alerts;
  assert.ok(alert);
  assert.match(result.stdout, new RegExp(`channel hive \\(thehive\\) -> TheHive 5 at ${fake.server.base.replace(/[.]/g, '\\.')}: test notice sent\\n  accepted: TheHive alert id ${alert._id.replace('~', '~')}\\n`));

  const lone = world.project({ extraConfig: { channels: { hive: { type: 'thehive' } } } });
  for (const command of [['validate'], ['channel', 'test', 'hive']]) {
    const missing = await lone.run(command);
    assert.equal(missing.code, 2, command.join(' '));
    assert.match(missing.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/hive: a thehive channel needs url and api_key, or a thehive: section in alertcron\.yaml to take them from$/m);
  }
});

test('the SLA ladder follows the TheHive alert alertcron created, with no extra configuration: a source: thehive alert reads it and escalates it', async () => {
  const T = uniqueBaseTime();
  fake.server.now = () => T;
  const { index, project } = await hiveProject({}, {}, { samples: 0 });
  project.writeAlert('hive-sla', {
    source: 'thehive',
    thehive: { severity: [3, 4] },
    notify: ['soc-slack'],
    escalation: [{ after: '30m', notify: ['soc-email'] }],
  });
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator')]);
  const at = async (minutes: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
  };
  await at(0);
  const [created] = fake.server.alerts;
  assert.ok(created, 'the Elasticsearch alert created a TheHive alert');
  const receipt = sentIds(project.state())[0];
  assert.equal(receipt, created._id);
  await at(1);
  const slack = world.slack.accepted() as { text: string }[];
  assert.deepEqual(slack.map((m) => m.text), ['TheHive alert: Admin logon: Administrator (severity 3, 1m old)'], 'the ladder\'s first notice, titled by alertcron\'s own notice');
  assert.ok(JSON.stringify(slack[0]).includes(`/alerts/${encodeURIComponent(receipt!)}/details`), 'it links the TheHive alert whose id the receipt keeps');
  await at(31);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['[tier-1] TheHive alert: Admin logon: Administrator (severity 3, 31m old)'], 'escalated after 30 minutes');
  assert.equal(fake.server.alerts.length, 1, 'the ES alert was throttled: still one TheHive alert');
});

test('a channel with its own url takes none of the thehive: section: not its version 4 (TheHive 5 unless set) nor its timeout', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await hiveProject({ url: fake.server.base, api_key: '${THEHIVE_API_KEY}' }, { version: 4 });
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(creates().map((r) => r.path), ['/api/v1/alert'], 'TheHive 5\'s API, not the section\'s version 4');
  assert.equal(fake.server.alerts.length, 1);
});

test('an escalation tier queued in the same run as the first notice is a second TheHive alert, not swallowed as a duplicate of the first', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await hiveProject({}, {}, { escalation: [{ after: '0s', notify: ['hive'] }] });
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(creates().length, 2);
  assert.equal(fake.server.alerts.length, 2, 'the first notice and tier 1: two alerts');
  assert.notEqual(fake.server.alerts[0]!.sourceRef, fake.server.alerts[1]!.sourceRef);
  assert.deepEqual(sentIds(project.state()).sort(), fake.server.alerts.map((a) => a._id).sort());
});

test('a duplicate answered 409 ConflictError (TheHive 5\'s wording is not relied on) is looked up by its sourceRef and delivered once; a conflict with no such alert stays an error', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await hiveProject();
  fake.server.createFailures = 1;
  fake.server.duplicateAnswer = { status: 409, type: 'ConflictError', message: 'An alert with this sourceRef exists' };
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'Administrator')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(creates().length, 2, 'the create was retried and answered 409');
  assert.equal(fake.server.alerts.length, 1, 'never a second alert');
  assert.deepEqual(sentIds(project.state()), [fake.server.alerts[0]!._id]);
  assert.equal(project.state().pending.length, 0);

  // A ConflictError about something else (no alert has the sourceRef): the original error stands.
  fake.server.requests.length = 0;
  fake.server.createConflicts = 1;
  const other = await hiveProject();
  const alertsBefore = fake.server.alerts.length;
  await indexDocs(world.esUrl, other.index, [logonEvent(T + 9 * MIN, 'Administrator')]);
  const refused = await other.project.run(['run'], { ALERTCRON_NOW: iso(T + 10 * MIN) });
  assert.ok(fake.server.requests.some((r) => r.path.startsWith('/api/v1/query')), 'looked up by its sourceRef');
  assert.match(refused.stderr, /answered HTTP 409 ConflictError: Concurrent modification, try again/);
  assert.equal(fake.server.alerts.length, alertsBefore);
  assert.deepEqual(sentIds(other.project.state()), [], 'not counted as delivered');
});

test('a long URL and a list field reach TheHive whole: the URL as one observable and in the description, each list element an observable; a value over 8 KB is left out, never cut', async () => {
  const T = uniqueBaseTime();
  const url = `https://phish.example/login?next=${'a1b2c3d4'.repeat(34)}`;
  assert.equal(url.length, 305);
  const { index, project } = await hiveProject({
    description: 'URL: {{url.full}} IPs: {{related.ip}}',
    observables: [
      { field: 'url.full', type: 'url' },
      { field: 'related.ip', type: 'ip' },
      { field: 'file.name', type: 'filename' },
    ],
  });
  const event = { ...logonEvent(T - MIN, 'Administrator'), url: { full: url }, related: { ip: ['203.0.113.1', '203.0.113.2'] }, file: { name: 'x'.repeat(9000) } };
  await indexDocs(world.esUrl, index, [event]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const [alert] = fake.server.alerts;
  assert.ok(alert);
  assert.deepEqual(alert.observables, [
    { dataType: 'url', data: url, tags: [] },
    { dataType: 'ip', data: '203.0.113.1', tags: [] },
    { dataType: 'ip', data: '203.0.113.2', tags: [] },
  ]);
  assert.equal(alert.description, `URL: ${url.replace(/[!-/:-@[-\`{-~]/g, '\\$&')} IPs: 203\\.0\\.113\\.1\\, 203\\.0\\.113\\.2`);
});

test('a source: thehive alert that notifies or escalates to a thehive channel on the instance it reads is refused at its file:line', async () => {
  const { project } = await hiveProject();
  project.writeAlert('hive-sla', { source: 'thehive', notify: ['soc-slack'], escalation: [{ after: '30m', notify: ['soc-email', 'hive'] }] });
  const loop = /^alerts\/hive-sla\.yaml:8:9 \/escalation\/0\/notify\/1: "hive" creates TheHive alerts on http:\/\/127\.0\.0\.1:\d+, the instance this alert reads: each notice would become an alert it reads the next run, without end \(send to a channel on another TheHive instance, or read cases: thehive: \{ object: case \}\)$/m;
  const check = await project.run(['validate']);
  assert.equal(check.code, 2, check.stdout + check.stderr);
  assert.match(check.stderr, loop);
  // Every command that loads the alerts says so too; `run` skips the alert and runs the others.
  const run = await project.run(['run']);
  assert.match(run.stderr, loop);
  assert.equal(fake.server.requests.filter((r) => r.path.startsWith('/api/v1/query')).length, 0, 'the looping alert never read TheHive');

  // The same channel with a url of its own (another instance, a trailing slash is no difference): only the same one is refused.
  project.writeAlert('hive-sla', { source: 'thehive', notify: ['hive'] });
  assert.match((await project.run(['validate'])).stderr, /^alerts\/hive-sla\.yaml:3:\d+ \/notify\/0: "hive" creates TheHive alerts on/m);
  const { project: other } = await hiveProject({ url: 'https://hive-2.example.org/', api_key: '${THEHIVE_API_KEY}' });
  other.writeAlert('hive-sla', { source: 'thehive', notify: ['hive'] });
  const fine = await other.run(['validate']);
  assert.equal(fine.code, 0, fine.stdout + fine.stderr);
  // Reading cases, not alerts, is no loop.
  project.writeAlert('hive-sla', { source: 'thehive', thehive: { object: 'case' }, notify: ['hive'] });
  const cases = await project.run(['validate']);
  assert.equal(cases.code, 0, cases.stdout + cases.stderr);
});
