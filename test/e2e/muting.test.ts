import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import type { Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { hiveLadderProject } from '../support/hiveLadder.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { iso, useWorld } from '../support/world.js';

// Muting at send time (issue 9): a notice that could not be delivered stays pending; whatever mutes its key
// before the next run (a silence, an ack, `hive ignore`, `hive promote`, the alert deleted or disabled) drops
// it unsent with a `muted` audit record, instead of delivering it late.

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();

/** The `muted` audit records, without their run stamps. */
function mutedRecords(project: Project) {
  return project
    .audit()
    .filter((e) => e.event === 'muted')
    .map(({ alert, key, channel, reason, why, when }) => ({ alert, key, channel, reason, why, ...(when ? { when } : {}) }));
}

/** The pending list of the state file, reduced to what it is about. */
function pendingOf(project: Project) {
  return (project.state()?.pending ?? []).map((p: { alert: string; key: string; channel?: string; reason: string }) => [p.alert, p.key, p.channel, p.reason]);
}

/** A search alert over a fresh OpenSearch index: one Slack notice per user that logs on. */
async function adminProject(extra: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-muting');
  const project = world.project();
  const alert = { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '10m', notify: ['soc-slack'], title: 'Admin {{key}} on {{host.name}}', ...extra };
  project.writeAlert('admins', alert);
  const logon = (at: number, user: string, host = 'dc01') => indexDocs(world.esUrl, index, [logonEvent(at, user, { host })]);
  const titles = () => (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  return { T, project, alert, logon, titles };
}

/** Runs once while Slack answers 500: the notices stay pending and the run exits 4. Returns how many requests Slack got. */
async function failedRun(project: Project, at: number): Promise<number> {
  world.slack.behaviour = 'server-error';
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
  assert.equal(failed.code, 4, failed.stderr);
  assert.match(failed.stderr, /-> soc-slack: Slack answered HTTP 500 rollup_error \(will retry next run\)/);
  assert.ok(world.slack.requests.length > 0, 'Slack was tried');
  assert.deepEqual(world.slack.accepted(), []);
  world.slack.behaviour = 'ok';
  return world.slack.requests.length;
}

test('silence --key after a failed send: the pending Slack notice is dropped unsent, audited as muted by that silence', async () => {
  const { T, project, logon } = await adminProject();
  await logon(T - MIN, 'root');
  const tried = await failedRun(project, T);
  assert.deepEqual(pendingOf(project), [['admins', 'root', 'soc-slack', 'first']]);

  const add = await project.run(['silence', 'add', 'admins', '--key', 'root', '--for', '1h', '--comment', 'patching dc01', '--author', 'alice'], { ALERTCRON_NOW: iso(T + 30_000) });
  assert.equal(add.code, 0, add.stderr);
  const id = /^silenced: ([0-9a-f]{8}) /.exec(add.stdout)?.[1];
  assert.ok(id, add.stdout);

  const next = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.requests.length, tried, 'Slack, back to ok, received nothing');
  const why = `silenced by ${id} (alice: patching dc01)`;
  const report = JSON.parse(next.stdout);
  assert.deepEqual(report.deliveries, [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', ok: true, attempts: 0, muted: why }]);
  assert.equal(report.pending, 0);
  assert.deepEqual(mutedRecords(project), [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', why }]);
  const state = project.state();
  assert.deepEqual(state.pending, []);
  assert.deepEqual(state.sent, [], 'nothing was accepted by a channel');
  assert.deepEqual(state.alerts.admins.keys.root.delivered, {});

  const later = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(later.code, 0, later.stderr);
  assert.equal(world.slack.requests.length, tried, 'the dropped notice does not come back');
});

test('silence --match after a failed send: the labels kept on the pending notice let it drop only the matching key', async () => {
  const { T, project, logon, titles } = await adminProject();
  await logon(T - MIN, 'root', 'dc01');
  await logon(T - MIN, 'admin', 'db09');
  const tried = await failedRun(project, T);
  const pending = project.state().pending as { key: string; labels?: Record<string, string> }[];
  assert.deepEqual(pending.map((p) => [p.key, p.labels?.['host.name']]).sort(), [['admin', 'db09'], ['root', 'dc01']]);
  assert.equal(pending.find((p) => p.key === 'root')!.labels!['winlog.event_data.TargetUserName'], 'root');

  const add = await project.run(['silence', 'add', 'admins', '--match', 'host.name=dc01', '--for', '1h', '--comment', 'dc01 rebuild', '--author', 'bob'], { ALERTCRON_NOW: iso(T + 30_000) });
  assert.equal(add.code, 0, add.stderr);
  const id = /^silenced: ([0-9a-f]{8}) {2}admins {2}host\.name="dc01" /.exec(add.stdout)?.[1];
  assert.ok(id, add.stdout);

  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(titles(), ['Admin admin on db09'], 'only the notice the silence does not match is sent');
  assert.equal(world.slack.requests.length, tried + 1);
  assert.deepEqual(mutedRecords(project), [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', why: `silenced by ${id} (bob: dc01 rebuild)` }]);
  assert.deepEqual(project.state().pending, []);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => e.key), ['admin']);
});

test('ack after a failed send: the pending notice of the acknowledged key is dropped unsent while the key still matches', async () => {
  const { T, project, logon } = await adminProject();
  await logon(T - MIN, 'root');
  const tried = await failedRun(project, T);
  assert.deepEqual(pendingOf(project), [['admins', 'root', 'soc-slack', 'first']]);

  const ack = await project.run(['ack', 'admins', '--key', 'root', '--by', 'carol'], { ALERTCRON_NOW: iso(T + 20_000) });
  assert.equal(ack.code, 0, ack.stderr);
  assert.equal(ack.stdout, 'acknowledged admins: "root" (until it stops matching)\n');
  await logon(T + 40_000, 'root');

  const next = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.requests.length, tried, 'Slack received nothing');
  const report = JSON.parse(next.stdout);
  assert.deepEqual(report.alerts[0].findings.map((f: { key: string; decision: string }) => [f.key, f.decision]), [['root', 'acknowledged']]);
  assert.deepEqual(report.deliveries, [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', ok: true, attempts: 0, muted: 'acknowledged by carol' }]);
  assert.deepEqual(mutedRecords(project), [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', why: 'acknowledged by carol' }]);
  assert.deepEqual(project.state().pending, []);
  assert.deepEqual(project.state().sent, []);
});

test('ack after a failed send, then the key stops matching: the pending notice is dropped as resolved since it was queued', async () => {
  const { T, project, logon } = await adminProject();
  await logon(T - MIN, 'root');
  const tried = await failedRun(project, T);
  const ack = await project.run(['ack', 'admins', '--key', 'root', '--by', 'carol'], { ALERTCRON_NOW: iso(T + 20_000) });
  assert.equal(ack.code, 0, ack.stderr);

  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.requests.length, tried, 'Slack received nothing');
  assert.deepEqual(mutedRecords(project), [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', why: 'key resolved since it was queued' }]);
  const state = project.state();
  assert.deepEqual(state.pending, []);
  assert.equal(state.alerts.admins.keys.root.acknowledged, undefined, 'the ack ended with the key');
});

test('an alert deleted after its notice failed: the pending notice is dropped with why "alert deleted"', async () => {
  const { T, project, logon } = await adminProject();
  await logon(T - MIN, 'root');
  const tried = await failedRun(project, T);
  rmSync(join(project.dir, 'alerts', 'admins.yaml'));

  const next = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.requests.length, tried, 'Slack received nothing');
  assert.deepEqual(JSON.parse(next.stdout).deliveries, [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', ok: true, attempts: 0, muted: 'alert deleted' }]);
  assert.deepEqual(mutedRecords(project), [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', why: 'alert deleted' }]);
  assert.deepEqual(project.state().pending, []);
});

test('an alert disabled after its notice failed: the pending notice is dropped with why "alert disabled"', async () => {
  const { T, project, alert, logon } = await adminProject();
  await logon(T - MIN, 'root');
  const tried = await failedRun(project, T);
  project.writeAlert('admins', { ...alert, enabled: false });

  const next = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.requests.length, tried, 'Slack received nothing');
  assert.deepEqual(JSON.parse(next.stdout).deliveries, [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', ok: true, attempts: 0, muted: 'alert disabled' }]);
  assert.deepEqual(mutedRecords(project), [{ alert: 'admins', key: 'root', channel: 'soc-slack', reason: 'first', why: 'alert disabled' }]);
  assert.deepEqual(project.state().pending, []);
});

test('muting at queue time still works: a silenced key queues nothing; a resolved notice is not muted by a silence (it closes what was told)', async () => {
  const { T, project, logon, titles } = await adminProject({ resolve_after: 1 });
  const add = await project.run(['silence', 'add', 'admins', '--key', 'root', '--for', '1h', '--comment', 'known noise', '--author', 'dan'], { ALERTCRON_NOW: iso(T - 5 * MIN) });
  assert.equal(add.code, 0, add.stderr);
  const id = /^silenced: ([0-9a-f]{8}) /.exec(add.stdout)?.[1];
  await logon(T - MIN, 'root');
  await logon(T - MIN, 'admin');

  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(titles(), ['Admin admin on dc01'], 'the silenced key is never queued nor sent');
  assert.deepEqual(project.state().pending, []);
  assert.deepEqual(project.audit().filter((e) => e.event === 'decision').map((e) => [e.key, e.reason]).sort(), [['admin', 'first'], ['root', 'silenced']]);

  // admin was told, then it is silenced too and stops matching: its resolved notice still goes to the channel that
  // was told (issue 25 point 4: resolves close what they opened); root, never told, gets none.
  const more = await project.run(['silence', 'add', 'admins', '--key', 'admin', '--for', '1h', '--comment', 'done', '--author', 'dan'], { ALERTCRON_NOW: iso(T + 10_000) });
  assert.equal(more.code, 0, more.stderr);
  const adminId = /^silenced: ([0-9a-f]{8}) /.exec(more.stdout)?.[1];
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(titles(), ['Admin admin on dc01', 'Resolved: Admin admin on dc01'], 'the resolved notice is sent though the key is silenced');
  assert.deepEqual(mutedRecords(project), []);
  assert.deepEqual(project.state().pending, []);
  assert.notEqual(id, adminId);
});

/** A TheHive project with the SLA ladder: first notice on Slack, SMS on-call at 30 minutes, a call at 45 and 60. */
const ladderProject = (extra: Record<string, unknown> = {}) => hiveLadderProject(world, servers, fake, extra);

/** Runs the ladder to its tier-1 page while Twilio answers 500: the first Slack notice went out, the SMS is pending. */
async function failedPage(project: Project, T: number) {
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(first.code, 0, first.stderr);
  servers.twilio.behaviour = 'server-error';
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + 31 * MIN) });
  assert.equal(failed.code, 4, failed.stderr);
  assert.match(failed.stderr, /-> oncall-sms: .*500.*\(will retry next run\)/);
  assert.deepEqual(servers.twilio.messages, []);
  servers.twilio.behaviour = 'ok';
}

test('hive ignore after a failed tier-1 page: the pending SMS is not delivered', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject();
  const alert = fake.server.addAlert({ title: 'Port scan', severity: 3, _createdAt: T });
  await failedPage(project, T);
  assert.deepEqual(pendingOf(project), [['hive-sla', alert._id, 'oncall-sms', 'tier-1']]);

  const ignore = await project.run(['hive', 'ignore', alert._id, '--for', '30m'], { ALERTCRON_NOW: iso(T + 32 * MIN), USER: 'erin' });
  assert.equal(ignore.code, 0, ignore.stderr);
  const id = /^ignoring: ([0-9a-f]{8}) /.exec(ignore.stdout)?.[1];
  assert.ok(id, ignore.stdout);

  const next = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 33 * MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(sent(), { slack: ['TheHive alert: Port scan (severity 3, 1m old)'], sms: [], calls: [] });
  const why = `silenced by ${id} (erin: TheHive alert ${alert._id} ignored from the shell)`;
  assert.deepEqual(JSON.parse(next.stdout).deliveries, [{ alert: 'hive-sla', key: alert._id, channel: 'oncall-sms', reason: 'tier-1', ok: true, attempts: 0, muted: why }]);
  assert.deepEqual(mutedRecords(project), [{ alert: 'hive-sla', key: alert._id, channel: 'oncall-sms', reason: 'tier-1', why }]);
  assert.deepEqual(project.state().pending, []);
});

test('hive promote after a failed page: the page is dropped as promoted, and the resolved notice later goes to Slack only', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject({ resolve_after: 2 });
  const alert = fake.server.addAlert({ title: 'Phishing click', severity: 3, _createdAt: T });
  await failedPage(project, T);

  const promote = await project.run(['hive', 'promote', alert._id], { ALERTCRON_NOW: iso(T + 32 * MIN), USER: 'erin' });
  assert.equal(promote.code, 0, promote.stderr);
  assert.equal(fake.server.cases.length, 1);

  const next = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 33 * MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(sent(), { slack: ['TheHive alert: Phishing click (severity 3, 1m old)'], sms: [], calls: [] }, 'neither the page nor a resolved notice yet');
  assert.deepEqual(JSON.parse(next.stdout).deliveries, [{ alert: 'hive-sla', key: alert._id, channel: 'oncall-sms', reason: 'tier-1', ok: true, attempts: 0, muted: 'promoted by erin' }]);
  assert.deepEqual(mutedRecords(project), [{ alert: 'hive-sla', key: alert._id, channel: 'oncall-sms', reason: 'tier-1', why: 'promoted by erin' }]);
  assert.deepEqual(project.state().pending, []);

  const resolved = await project.run(['run'], { ALERTCRON_NOW: iso(T + 34 * MIN) });
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.deepEqual(sent(), {
    slack: ['TheHive alert: Phishing click (severity 3, 1m old)', 'Resolved: TheHive alert: Phishing click (severity 3, 1m old)'],
    sms: [],
    calls: [],
  }, 'the resolved notice goes only to the channel that had accepted a notice of the key; never the page');
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => [e.channel, e.reason]), [['soc-slack', 'first'], ['soc-slack', 'resolved']]);
  assert.deepEqual(project.state().pending, []);
});

test('hive promote after a failed page, resolved in the next run: the resolved notice goes out, the page does not', async () => {
  const T = uniqueBaseTime();
  const { project, sent } = ladderProject({ resolve_after: 1 });
  const alert = fake.server.addAlert({ title: 'Beaconing', severity: 4, _createdAt: T });
  await failedPage(project, T);
  const promote = await project.run(['hive', 'promote', alert._id], { ALERTCRON_NOW: iso(T + 32 * MIN), USER: 'erin' });
  assert.equal(promote.code, 0, promote.stderr);

  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + 33 * MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(sent(), {
    slack: ['TheHive alert: Beaconing (severity 4, 1m old)', 'Resolved: TheHive alert: Beaconing (severity 4, 1m old)'],
    sms: [],
    calls: [],
  });
  assert.deepEqual(mutedRecords(project), [{ alert: 'hive-sla', key: alert._id, channel: 'oncall-sms', reason: 'tier-1', why: 'key resolved since it was queued' }]);
  assert.deepEqual(project.state().pending, []);
});
