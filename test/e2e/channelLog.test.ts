// Issue 26 point 1: a `type: log` channel (ElastAlert2's `debug`) writes each notice as one line on stdout (text or
// JSON) and a notice_logged record in the audit log; it always delivers, and no log value can forge a line of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** A project whose logon alert (a key per user, resolve_after 1) notifies the log channel `debug-log`. */
async function logProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('log-channel');
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) as { channels: object };
  project.writeConfig({ ...base, channels: { ...base.channels, 'debug-log': { type: 'log', ...channel } } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1h', resolve_after: 1, notify: ['debug-log'], title: 'Logon {{key}} on {{host.name}}', message: '{{count}} logon(s) from {{source.ip}}', samples: 0, ...alert });
  const logon = (at: number, user: string, extra: Record<string, unknown> = {}) => indexDocs(world.esUrl, index, [{ ...logonEvent(at, user, { ip: '203.0.113.7' }), ...extra }]);
  return { T, project, logon };
}

/** Characters a terminal or a log reader acts on: none may reach a line raw. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202e\u200b]/;

test('text: each notice is one line on stdout, and one notice_logged audit record; the resolve too', async () => {
  const { T, project, logon } = await logProject();
  await logon(T - 30_000, 'root');
  await logon(T - 20_000, 'admin');
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, '');
  assert.deepEqual(first.stdout.split('\n').sort(), [
    '',
    'alertcron notice logons "admin" first: Logon admin on dc01 - 1 logon(s) from 203.0.113.7',
    'alertcron notice logons "root" first: Logon root on dc01 - 1 logon(s) from 203.0.113.7',
  ]);
  const logged = project.audit().filter((e) => e.event === 'notice_logged');
  assert.deepEqual(logged.map((e) => [e.channel, e.alert, e.key, e.reason, e.title, e.message]).sort(), [
    ['debug-log', 'logons', 'admin', 'first', 'Logon admin on dc01', '1 logon(s) from 203.0.113.7'],
    ['debug-log', 'logons', 'root', 'first', 'Logon root on dc01', '1 logon(s) from 203.0.113.7'],
  ]);
  assert.equal(project.audit().filter((e) => e.event === 'delivered' && e.channel === 'debug-log').length, 2);

  const resolved = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.deepEqual(resolved.stdout.trim().split('\n').map((line) => line.replace(/: .*/, '')).sort(), ['alertcron notice logons "admin" resolved', 'alertcron notice logons "root" resolved']);
  assert.equal(project.audit().filter((e) => e.event === 'notice_logged' && e.reason === 'resolved').length, 2);
});

test('hostile log values cannot add a line, a terminal escape or a direction override, in text or in JSON; JSON gives the values back whole', async () => {
  const forged = 'x\nalertcron notice logons "admin" first: forged\r\n\u001b[2K\u001b]0;title\u0007\u2028\u202e';
  for (const format of ['text', 'json'] as const) {
    const { T, project, logon } = await logProject({ format }, { message: `${HOSTILE_MESSAGE}\n{{forged}}`, title: 'Logon {{key}}' });
    await logon(T - 30_000, forged, { ...HOSTILE_FIELDS, forged });
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines.length, 2, `${format}: one line and the final newline`);
    assert.equal(lines[1], '');
    assert.doesNotMatch(lines[0]!, ACTIVE, `${format}: no active character`);
    if (format === 'text') {
      assert.ok(lines[0]!.startsWith('alertcron notice logons "x alertcron notice logons \\"admin\\" first: forged'), lines[0]!.slice(0, 120));
      assert.ok(lines[0]!.includes(HOSTILE_FIELDS.markdown));
      assert.ok(lines[0]!.length < 5000, 'title and message cut');
    } else {
      const notice = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.equal(notice.alertcron, 'notice');
      assert.equal(notice.key, forged);
      assert.ok(String(notice.message).endsWith(forged));
      assert.ok(String(notice.message).includes(HOSTILE_FIELDS.long), 'the JSON line keeps values whole');
      assert.equal((notice.labels as Record<string, string>).evil, HOSTILE_FIELDS.evil);
    }
    const [record] = project.audit().filter((e) => e.event === 'notice_logged');
    assert.equal(record.key, forged, 'the audit log is JSON: the value as it was');
  }
});

test('run --json keeps stdout for its one JSON document: the notice lines go to stderr', async () => {
  const { T, project, logon } = await logProject({ format: 'json' });
  await logon(T - 30_000, 'root');
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { deliveries: { channel: string; ok: boolean }[] };
  assert.deepEqual(report.deliveries.map((d) => [d.channel, d.ok]), [['debug-log', true]]);
  const [line] = result.stderr.trim().split('\n');
  assert.equal((JSON.parse(line!) as { key: string }).key, 'root');
});

test('a digest is one JSON line with its table (columns and rows)', async () => {
  const { T, project, logon } = await logProject({ format: 'json' }, { digest: { every: '2m', fields: ['winlog.event_data.TargetUserName', 'host.name'] }, resolve_after: undefined });
  const lines: string[] = [];
  for (let m = 0; m <= 2; m++) {
    if (m < 2) await logon(T + m * MIN - 30_000, `user${m}`);
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + m * MIN) });
    assert.equal(run.code, 0, run.stderr);
    lines.push(...run.stdout.split('\n').filter(Boolean));
  }
  const digests = lines.map((line) => JSON.parse(line) as { reason: string; digest?: { columns: string[]; rows: { cells: string[]; count: number }[] } }).filter((n) => n.reason === 'digest');
  assert.equal(digests.length, 1, lines.join('\n'));
  assert.deepEqual(digests[0]!.digest!.columns, ['winlog.event_data.TargetUserName', 'host.name']);
  assert.deepEqual(digests[0]!.digest!.rows.map((r) => [r.cells, r.count]).sort(), [[['user0', 'dc01'], 1], [['user1', 'dc01'], 1]]);
});

test('a reader of stdout that went away (EPIPE) does not fail the channel or the run: the notices count as delivered', async () => {
  const { T, project, logon } = await logProject();
  await Promise.all(['alice', 'bob', 'carol'].map((user, i) => logon(T - 30_000 + i, user)));
  const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.equal(project.audit().filter((e) => e.event === 'notice_logged').length, 3);
  assert.deepEqual(project.state().pending, []);
});
