// Digests (issue 25 point 2): findings collected in the state over runs, one notice per period (and per value)
// with the summary table, on the digest channels only; throttle, silences and acks keep findings out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { defaultConfig } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const USER = 'winlog.event_data.TargetUserName';
const world = useWorld();

/** A mail's text as sent (quoted-printable soft breaks joined). */
function mailText(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

/** A project with one `logons` alert keyed by user, to email (digested) and Slack (at once). */
function logonsProject(index: string, digest: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: USER, notify: ['soc-email', 'soc-slack'], title: 'Logon by {{key}}', digest: { channels: ['soc-email'], ...digest }, ...extra });
  return project;
}

const env = (at: number) => ({ ALERTCRON_NOW: iso(at), SLACK_WEBHOOK_URL: world.slack.url });

test('digest every 10m: findings of several runs are collected and sent as one mail with every row at the end of the period; Slack still gets each notice at once; a throttled key is not counted again', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest');
  const project = logonsProject(index, { every: '10m', fields: [USER, 'host.name'] });
  // Minute m: a logon of user<m> on host dc0<m%2>; alice logs on at minutes 0 and 3 (the second is throttled).
  for (let m = 0; m <= 10; m++) {
    const docs = m < 6 ? [logonEvent(T + m * MIN - 30_000, `user${m}`, { host: `dc0${m % 2}` })] : [];
    if (m === 0 || m === 3) docs.push(logonEvent(T + m * MIN - 20_000, 'alice', { host: 'dc09' }));
    await indexDocs(world.esUrl, index, docs);
    const run = await project.run(['run'], env(T + m * MIN));
    assert.equal(run.code, 0, run.stderr);
    if (m < 10) assert.equal(world.smtp.messages.length, 0, `no mail before the period ends (minute ${m})`);
    if (m === 5) {
      const status = await project.run(['status'], env(T + m * MIN));
      assert.match(status.stdout, new RegExp(`open digest: 7 finding\\(s\\) in 7 row\\(s\\), 7 key\\(s\\), collecting since ${iso(T).replace(/\./g, '\\.')}, due ${iso(T + 10 * MIN).replace(/\./g, '\\.')}`));
      const json = JSON.parse((await project.run(['status', '--json'], env(T + m * MIN))).stdout);
      assert.deepEqual(json.alerts[0].digests, [{ per: null, from: iso(T), due: iso(T + 10 * MIN), findings: 7, rows: 7, omitted: 0, keys: 7 }]);
    }
  }
  assert.equal(world.slack.accepted().length, 7, 'Slack got user0..user5 and alice once, as they came');
  assert.equal(world.smtp.messages.length, 1, 'one digest mail');
  const mail = world.smtp.messages[0]!;
  assert.equal(mail.subject, 'logons: 7 findings in the last 10 minutes (7 keys)');
  const text = mailText(mail.raw);
  if (process.env.D1_SHOW) console.log(text);
  assert.match(text, /count {2}winlog\.event_data\.TargetUserName {2}host\.name/);
  for (let m = 0; m < 6; m++) assert.match(text, new RegExp(`\\n +1  user${m} +dc0${m % 2}\\r?\\n`));
  assert.match(text, /\n +1  alice +dc09/, 'alice counted once: her second logon was throttled');
  const state = project.state();
  assert.equal(state.alerts.logons.digests, undefined, 'the bucket left the state when its digest was queued');
  assert.deepEqual(state.pending, []);
  // The next period starts with the next finding, not before.
  await indexDocs(world.esUrl, index, [logonEvent(T + 14 * MIN - 30_000, 'zoe')]);
  assert.equal((await project.run(['run'], env(T + 14 * MIN))).code, 0);
  assert.equal(project.state().alerts.logons.digests[0].due, T + 24 * MIN);
});

test('digest per host.name: one digest per value (key _digest:<value>), each with its own rows', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-per');
  const project = logonsProject(index, { every: '5m', per: 'host.name', fields: [USER] });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann', { host: 'web1' }), logonEvent(T - 20_000, 'bob', { host: 'web2' }), logonEvent(T - 10_000, 'cid', { host: 'web1' })]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  assert.equal((await project.run(['run'], env(T + 5 * MIN))).code, 0);
  const subjects = world.smtp.messages.map((m) => m.subject).sort();
  assert.deepEqual(subjects, ['logons (web1): 2 findings in the last 5 minutes (2 keys)', 'logons (web2): 1 finding in the last 5 minutes (1 key)']);
  const web1 = mailText(world.smtp.messages.find((m) => m.subject.startsWith('logons (web1)'))!.raw);
  assert.match(web1, /for web1\./);
  assert.match(web1, /\n +1 {2}ann\r?\n/);
  assert.match(web1, /\n +1 {2}cid\r?\n/);
  assert.doesNotMatch(web1, /bob/);
  const keys = project.audit().filter((e: { event: string }) => e.event === 'digest').map((e: { key: string }) => e.key).sort();
  assert.deepEqual(keys, ['_digest:web1', '_digest:web2']);
});

test('digest: a silenced or acknowledged key is kept out of the digest; a key told again (throttle 0s) adds to its row', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-mute');
  const project = logonsProject(index, { every: '10m', fields: [USER] }, { throttle: '0s', notify: ['soc-email'], digest: { every: '10m', fields: [USER] } });
  await indexDocs(world.esUrl, index, ['carol', 'dave', 'erin'].map((u) => logonEvent(T - 30_000, u)));
  assert.equal((await project.run(['run'], env(T))).code, 0);
  // carol is acknowledged, dave silenced; all three log on again.
  assert.equal((await project.run(['ack', 'logons', '--key', 'carol'], env(T + 30_000))).code, 0);
  const silence = await project.run(['silence', 'add', 'logons', '--key', 'dave', '--for', '1h', '--comment', 'known'], env(T + 30_000));
  assert.equal(silence.code, 0, silence.stderr);
  await indexDocs(world.esUrl, index, ['carol', 'dave', 'erin'].map((u) => logonEvent(T + MIN - 30_000, u)));
  assert.equal((await project.run(['run'], env(T + MIN))).code, 0);
  assert.equal((await project.run(['run'], env(T + 10 * MIN))).code, 0);
  assert.equal(world.smtp.messages.length, 1);
  const mail = world.smtp.messages[0]!;
  assert.equal(mail.subject, 'logons: 4 findings in the last 10 minutes (3 keys)');
  const text = mailText(mail.raw);
  assert.match(text, /\n +2 {2}erin\r?\n/);
  assert.match(text, /\n +1 {2}carol\r?\n/);
  assert.match(text, /\n +1 {2}dave\r?\n/);
});

test('digest max_rows: beyond max_rows distinct rows, findings are counted and said, not listed', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-rows');
  const project = logonsProject(index, { every: '2m', fields: [USER], max_rows: 3 });
  await indexDocs(world.esUrl, index, Array.from({ length: 7 }, (_, k) => logonEvent(T - 30_000 + k * 1000, `u${k}`)));
  assert.equal((await project.run(['run'], env(T))).code, 0);
  assert.equal(project.state().alerts.logons.digests[0].rows.length, 3, 'the state keeps at most max_rows rows');
  assert.equal((await project.run(['run'], env(T + 2 * MIN))).code, 0);
  const mail = world.smtp.messages[0]!;
  assert.equal(mail.subject, 'logons: 7 findings in the last 2 minutes (7 keys)');
  const text = mailText(mail.raw);
  assert.equal((text.match(/\n +1 {2}u\d/g) ?? []).length, 3);
  assert.match(text, /4 more finding\(s\) not listed: the table keeps 3 distinct row\(s\) \(digest\.max_rows\)\./);
});

test('digest schedule in a time zone: findings wait for the next cron time there (09:00 Moscow is 06:00 UTC), then go in one mail', async () => {
  const day = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const T = day + 5 * HOUR + 50 * MIN;
  const index = await world.index('auth-digest-cron');
  const project = logonsProject(index, { schedule: '0 9 * * *', timezone: 'Europe/Moscow', fields: [USER] });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'oleg')]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  assert.equal(project.state().alerts.logons.digests[0].due, day + 6 * HOUR);
  await indexDocs(world.esUrl, index, [logonEvent(T + 5 * MIN - 30_000, 'ivan')]);
  const second = await project.run(['run'], env(T + 5 * MIN));
  assert.equal(second.code, 0, second.stderr);
  assert.equal((await project.run(['run'], env(T + 9 * MIN))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), [], 'not before 09:00 Moscow time');
  assert.equal((await project.run(['run'], env(T + 10 * MIN))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['logons: 2 findings in the last 10 minutes (2 keys)']);
});

test('digest with the state in the cluster: the open digest lives in the alert document and is sent from there', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-cluster');
  const project = world.project();
  const stateIndexName = `alertcron-state-digest-${Math.random().toString(36).slice(2, 8)}`;
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), state: { backend: 'cluster', index: stateIndexName, host_id: 'h1', lock_wait: '5s' } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: USER, notify: ['soc-email'], digest: { every: '3m' } });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'kim')]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  await fetch(`${world.esUrl}/${stateIndexName}/_refresh`, { method: 'POST' });
  const doc = (await (await fetch(`${world.esUrl}/${stateIndexName}/_doc/alert:logons`)).json()) as { _source: { body: { digests: { findings: number }[] } } };
  assert.equal(doc._source.body.digests[0]!.findings, 1);
  await indexDocs(world.esUrl, index, [logonEvent(T + MIN - 30_000, 'lee')]);
  assert.equal((await project.run(['run'], env(T + MIN))).code, 0);
  assert.equal((await project.run(['run'], env(T + 3 * MIN))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['logons: 2 findings in the last 3 minutes (2 keys)']);
  const text = mailText(world.smtp.messages[0]!.raw);
  assert.match(text, /count {2}winlog\.event_data\.TargetUserName\r?\n/, 'without fields, the columns are the group_by fields');
  await fetch(`${world.esUrl}/${stateIndexName}`, { method: 'DELETE' });
});

test('validate refuses each digest setting that cannot work, naming file:line and the fix', async () => {
  const project = world.project();
  const base = 'index: logs\ncondition: { type: any }\nnotify: [soc-email]\n';
  project.writeAlert('both', `${base}digest:\n  every: 1h\n  schedule: "0 9 * * *"\n`);
  project.writeAlert('neither', `${base}digest:\n  fields: [user.name]\n`);
  project.writeAlert('badcron', `${base}digest:\n  schedule: "61 * * * *"\n`);
  project.writeAlert('sixfields', `${base}digest:\n  schedule: "0 0 9 * * *"\n`);
  project.writeAlert('badzone', `${base}digest:\n  schedule: "0 9 * * 1-5"\n  timezone: Europe/Atlantis\n`);
  project.writeAlert('zonenocron', `${base}digest:\n  every: 1h\n  timezone: UTC\n`);
  project.writeAlert('notnotify', `${base}digest:\n  every: 1h\n  channels: [soc-email, soc-slack]\n`);
  project.writeAlert('zerorows', `${base}digest:\n  every: 1h\n  max_rows: 0\n`);
  project.writeAlert('asking', `index: logs\ncondition: { type: any }\nnotify: [soc-email]\nask:\n  person: user.name\n  via: soc-slack\n  question: was it you?\n  escalate: [soc-email]\n  two_factor: false\ndigest:\n  every: 1h\n`);
  project.writeAlert('good', `${base}digest:\n  schedule: "0 9 * * 1-5"\n  timezone: Europe/Moscow\n  per: host.name\n`);
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  const expected = [
    /^alerts\/both\.yaml:6:\d+ \/digest\/schedule: both every and schedule are set: give exactly one of every \(a period from the first finding, e\.g\. every: 1h\) and schedule/m,
    /^alerts\/neither\.yaml:5:\d+ \/digest: neither every nor schedule is set: give exactly one of every/m,
    /^alerts\/badcron\.yaml:5:\d+ \/digest\/schedule: "61 \* \* \* \*" is not a cron expression cron-parser can read \(.*59.*\): write 5 fields such as "0 9 \* \* 1-5"$/m,
    /^alerts\/sixfields\.yaml:5:\d+ \/digest\/schedule: "0 0 9 \* \* \*" has 6 field\(s\): a schedule has 5 \(minute hour day-of-month month day-of-week\)/m,
    /^alerts\/badzone\.yaml:6:\d+ \/digest\/timezone: unknown time zone "Europe\/Atlantis": use an IANA name such as Europe\/Moscow/m,
    /^alerts\/zonenocron\.yaml:6:\d+ \/digest\/timezone: timezone applies to schedule only/m,
    /^alerts\/notnotify\.yaml:6:\d+ \/digest\/channels\/1: "soc-slack" is not one of this alert's notify channels \(soc-email\): digest\.channels picks which of them get digests; add it to notify or remove it here$/m,
    /^alerts\/zerorows\.yaml:6:\d+ \/digest\/max_rows: must be at least 1/m,
    /^alerts\/asking\.yaml:\d+:\d+ \/digest: an ask alert asks the person each finding names, and nobody is asked about a digest: remove digest: or ask:$/m,
  ];
  for (const line of expected) assert.match(validate.stderr, line);
  assert.doesNotMatch(validate.stderr, /good\.yaml|internal error/);
});

test('backtest lists digest notices in sent with reason digest, at the first run after each period', async () => {
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const index = await world.index('auth-digest-backtest');
  // Logons at 10:00:30, 10:03:30 and 10:20:30 the day before: two periods (10:01-10:11 and 10:21-10:31).
  await indexDocs(world.esUrl, index, [0, 3, 20].map((m, k) => logonEvent(T - DAY + 10 * HOUR + m * MIN + 30_000, `user${k}`)));
  const project = logonsProject(index, { every: '10m' });
  const json = await project.run(['test', 'logons', '--backtest', '1d', '--json'], env(T));
  assert.equal(json.code, 0, json.stderr);
  const sent = JSON.parse(json.stdout).sent as { at: string; key: string; reason: string }[];
  const digests = sent.filter((s) => s.reason === 'digest');
  assert.deepEqual(digests, [
    { at: iso(T - DAY + 10 * HOUR + 11 * MIN), key: '_digest', reason: 'digest' },
    { at: iso(T - DAY + 10 * HOUR + 31 * MIN), key: '_digest', reason: 'digest' },
  ]);
  assert.equal(sent.filter((s) => s.reason === 'first').length, 3, 'each finding also went to Slack at once');
  const text = await project.run(['test', 'logons', '--backtest', '1d'], env(T));
  assert.match(text.stdout, /5 notice\(s\) would have been sent \(3 first, 2 digest\)/);
});

test('a digest of an alert disabled before its period ends is dropped (audited), not sent when the alert comes back', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-disabled');
  const project = logonsProject(index, { every: '2m' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'nina')]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  const alert = { index, condition: { type: 'any' }, group_by: USER, notify: ['soc-email', 'soc-slack'], title: 'Logon by {{key}}', digest: { every: '2m', channels: ['soc-email'] } };
  project.writeAlert('logons', { ...alert, enabled: false });
  assert.equal((await project.run(['run'], env(T + 2 * MIN))).code, 0);
  assert.equal(project.state().alerts.logons.digests, undefined);
  assert.ok(project.audit().some((e: { event: string; key?: string; why?: string }) => e.event === 'muted' && e.key === '_digest' && e.why === 'alert disabled'));
  project.writeAlert('logons', alert);
  assert.equal((await project.run(['run'], env(T + 3 * MIN))).code, 0);
  assert.deepEqual(world.smtp.messages, []);
});

test('digest by_match_time: a finding goes to the period of its event time; a late event whose period is over is sent by the run that found it', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-matchtime');
  const project = logonsProject(index, { every: '10m', by_match_time: true }, { first_lookback: '1h' });
  // Events 40 and 35 minutes old (one period from the first, over by now) and one 2 minutes old (a period still open).
  await indexDocs(world.esUrl, index, [logonEvent(T - 40 * MIN, 'old1'), logonEvent(T - 35 * MIN, 'old2'), logonEvent(T - 2 * MIN, 'new1')]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['logons: 2 findings in the last 10 minutes (2 keys)']);
  assert.match(mailText(world.smtp.messages[0]!.raw), new RegExp(`from ${iso(T - 40 * MIN).replace(/\./g, '\\.')} to ${iso(T - 30 * MIN).replace(/\./g, '\\.')}`));
  const open = project.state().alerts.logons.digests;
  assert.deepEqual(open.map((b: { from: number; due: number; findings: number }) => [b.from, b.due, b.findings]), [[T - 2 * MIN, T + 8 * MIN, 1]]);
});

test('a finding key that reads `_digest` is not the digest: acking or silencing it does not mute the digest, and the digest mail does not stamp it', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-keyname');
  const project = logonsProject(index, { every: '10m', fields: [USER] });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, '_digest'), logonEvent(T - 20_000, 'bob')]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  assert.equal(world.slack.accepted().length, 2, 'Slack got both at once');
  const ack = await project.run(['ack', 'logons', '--key', '_digest'], env(T + 30_000));
  assert.equal(ack.code, 0, ack.stderr);
  const silence = await project.run(['silence', 'add', 'logons', '--key', '_digest', '--for', '1h', '--comment', 'a user named so'], env(T + 30_000));
  assert.equal(silence.code, 0, silence.stderr);
  assert.equal((await project.run(['run'], env(T + 10 * MIN))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['logons: 2 findings in the last 10 minutes (2 keys)']);
  assert.ok(!project.audit().some((e: { event: string }) => e.event === 'muted'), 'nothing muted');
  const key = project.state().alerts.logons.keys._digest;
  assert.deepEqual(Object.keys(key.delivered), ['soc-slack'], 'the digest mail stamps no finding key: its resolve would not go to the digest channel');
});

test('digest by_match_time with a schedule or every: a late event joins the open digest of its period, so one run sends one digest per period, never two with the same key', async () => {
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY + 10 * HOUR;
  for (const [name, digest, sendAt] of [['hourly', { schedule: '0 * * * *', timezone: 'UTC' }, T + HOUR], ['every', { every: '30m' }, T + 50 * MIN]] as const) {
    world.smtp.messages.length = 0;
    const index = await world.index(`auth-digest-late-${name}`);
    const project = logonsProject(index, { ...digest, by_match_time: true }, { first_lookback: '1h' });
    // ann (two logons, so her finding comes first) at 10:19 and 10:20, then bob at 10:10: bob's event is the late one.
    await indexDocs(world.esUrl, index, [logonEvent(T + 19 * MIN, 'ann'), logonEvent(T + 20 * MIN, 'ann'), logonEvent(T + 10 * MIN, 'bob')]);
    assert.equal((await project.run(['run'], env(T + 30 * MIN))).code, 0);
    const open = project.state().alerts.logons.digests as { from: number; due: number; findings: number }[];
    assert.deepEqual(open.map((b) => [b.from, b.due, b.findings]), [[T + 10 * MIN, sendAt, 2]], name);
    assert.equal((await project.run(['run'], env(sendAt))).code, 0);
    assert.deepEqual(world.smtp.messages.map((m) => m.subject), [`logons: 2 findings in the last ${name === 'hourly' ? '50' : '40'} minutes (2 keys)`], name);
  }
});

test('digest: a secret of the configuration in a logged value or the per value is blanked before it is stored or sent', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-secret');
  const project = logonsProject(index, { every: '5m', per: 'host.name', fields: [USER, 'host.name'] });
  const secret = new URL(world.slack.url).pathname;
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann', { host: `leak${secret}` })]);
  assert.equal((await project.run(['run'], env(T))).code, 0);
  const stored = JSON.stringify(project.state().alerts.logons.digests);
  assert.ok(!stored.includes(secret), stored);
  assert.match(stored, /leak\*\*\*/);
  assert.equal((await project.run(['run'], env(T + 5 * MIN))).code, 0);
  assert.equal(world.smtp.messages.length, 1);
  assert.ok(!world.smtp.messages[0]!.raw.includes(secret));
});

test('digest opened while the clock was 48 h ahead: once the clock is corrected it is sent at the end of its period from then, not 48 h later', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest-clock');
  const project = logonsProject(index, { every: '10m' }, { first_lookback: '2m', ingest_delay: '0s', max_catchup: '72h' });
  await indexDocs(world.esUrl, index, [logonEvent(T + 48 * HOUR - 30_000, 'ann')]);
  assert.equal((await project.run(['run'], env(T + 48 * HOUR))).code, 0);
  assert.equal(project.state().alerts.logons.digests[0].due, T + 48 * HOUR + 10 * MIN);
  // Corrected: the next run moves the bucket back to just before it, keeping its length.
  assert.equal((await project.run(['run'], env(T + MIN))).code, 0);
  const [bucket] = project.state().alerts.logons.digests as { from: number; to: number; due: number; rows: { first: number; last: number }[] }[];
  assert.deepEqual([bucket!.from, bucket!.to, bucket!.due, bucket!.rows[0]!.first, bucket!.rows[0]!.last], [T + MIN - 1, T + 11 * MIN - 1, T + 11 * MIN - 1, T + MIN - 1, T + MIN - 1]);
  assert.equal((await project.run(['run'], env(T + 11 * MIN))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['logons: 1 finding in the last 10 minutes (1 key)']);
});

test('digest every 10m opened by a run a few hundred ms past its minute is sent by the run of the minute its period ends, not one minute later', async () => {
  const T = Math.floor(uniqueBaseTime() / MIN) * MIN;
  const index = await world.index('auth-digest-minute');
  const project = logonsProject(index, { every: '10m' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
  assert.equal((await project.run(['run'], env(T + 350))).code, 0);
  assert.equal((await project.run(['run'], env(T + 10 * MIN + 120))).code, 0);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['logons: 1 finding in the last 10 minutes (1 key)']);
});

test('backtest sends a digest at the step its period ends after that step\'s findings are collected, as a run does: a by_match_time event just before the end is in it', async () => {
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const index = await world.index('auth-digest-backtest-order');
  // Logons at 10:00:30 and 10:09:30 the day before: one period 10:00:30-10:10 holding both (the run of 10:10 finds the second, then sends).
  await indexDocs(world.esUrl, index, [logonEvent(T - DAY + 10 * HOUR + 30_000, 'ann'), logonEvent(T - DAY + 10 * HOUR + 9 * MIN + 30_000, 'bob')]);
  const project = logonsProject(index, { every: '10m', by_match_time: true });
  const json = await project.run(['test', 'logons', '--backtest', '1d', '--json'], env(T));
  assert.equal(json.code, 0, json.stderr);
  const sent = JSON.parse(json.stdout).sent as { at: string; key: string; reason: string; title?: string }[];
  assert.deepEqual(sent.filter((s) => s.reason === 'digest').map((s) => s.at), [iso(T - DAY + 10 * HOUR + 10 * MIN)]);
  const text = await project.run(['test', 'logons', '--backtest', '1d'], env(T));
  assert.match(text.stdout, /3 notice\(s\) would have been sent \(2 first, 1 digest\)/);
});
