import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { HostRecord } from '../../src/model/partition.js';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** A deployment (host-a) with the cluster state backend on a state index of its own, after one run made the index. */
async function clusterHost(): Promise<{ project: Project; shared: string; T: number }> {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-status');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const shared = `alertcron-state-hosts-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), run: { deadline: '10s' }, state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '12s', max_clock_skew: '1s', lock_wait: '4s' } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1h' });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  return { project, shared, T };
}

/** Puts one document into the state index as another host (or a hand edit) would have written it. */
async function put(index: string, id: string, doc: unknown): Promise<void> {
  const answer = await fetch(`${world.esUrl}/${index}/_doc/${encodeURIComponent(id)}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
  assert.ok(answer.ok, await answer.text());
}

async function heartbeat(index: string, record: HostRecord): Promise<void> {
  await put(index, `host:${record.id}`, { kind: 'host', id: `host:${record.id}`, holder: record.holder, last_seen: record.lastSeen, body: record });
}

async function lease(index: string, name: string, holder: string, until: number, released = false): Promise<void> {
  const partition = name === 'coordinator' ? {} : { partition: Number(name) };
  await put(index, `part:${name}`, { kind: 'part', id: `part:${name}`, holder, token: 3, until, released, updated_at: until - 30_000, ...partition, body: { windows: {}, ops: {} } });
}

async function stored(index: string, id: string): Promise<any> {
  return ((await (await fetch(`${world.esUrl}/${index}/_doc/${encodeURIComponent(id)}`)).json()) as { _source: any })._source;
}

test('status with hosts sharing the cluster: each host live or not and why, its heartbeat, last run, leases held as ranges, unheld leases and takeovers; --json has hosts and leases; cluster text printed inert', { timeout: 120_000 }, async () => {
  const { project, shared, T } = await clusterHost();
  const now = Date.now();
  const base = { startedAt: now - 3_600_000, version: '1.2.3' };
  await heartbeat(shared, { id: 'host-b', holder: 'host-b@aaaa1111', lastSeen: now - 5_000, ...base, lastRun: { startedAt: now - 8_000, finishedAt: now - 6_000, exitCode: 0, evaluated: 12, partitions: [0, 1, 2, 3, 5, 7], coordinator: true }, takeovers: [{ lease: '5', from: 'host-c', at: now - 30_000 }] });
  await heartbeat(shared, { id: 'host-c', holder: 'host-c@bbbb2222', lastSeen: now - 5 * MIN, ...base, lastRun: { startedAt: now - 5 * MIN - 2_000, finishedAt: now - 5 * MIN, exitCode: 4, evaluated: 9, partitions: [4, 6], coordinator: false } });
  await heartbeat(shared, { id: 'host-d', holder: 'host-d@cccc3333', lastSeen: now - 10_000, ...base, leaving: true });
  await heartbeat(shared, { id: 'evil\u001b[31m\nhost-x', holder: 'x', lastSeen: now, ...base });
  // A heartbeat of another version: left out with its reason, status goes on.
  await put(shared, 'host:old', { kind: 'host', id: 'host:old', body: { name: 'old' } });
  for (const name of ['0', '1', '2', '3', '5', '7', 'coordinator']) await lease(shared, name, 'host-b@aaaa1111/4242/abcd0001', now + 25_000);
  await lease(shared, '4', 'host-c@bbbb2222/17/abcd0002', now - 2 * MIN, true);
  await lease(shared, '6', 'host-c@bbbb2222/17/abcd0002', now - 40_000);

  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(status.code, 0, status.stderr);
  const out = status.stdout;
  assert.doesNotMatch(out, /^last run:/m, 'each host has its own last run');
  assert.match(out, /^hosts: \d+ live of \d+$/m);
  assert.match(out, /^ {2}host-b: live, last heartbeat \d+s ago \(\S+\); last run \S+, took 2s, exit code 0, 12 alert\(s\) evaluated holding partitions 0-3, 5, 7 \(6\) and the coordinator's lease; holds now partitions 0-3, 5, 7 \(6\) and the coordinator's lease$/m);
  assert.match(out, /^ {2}host-c: not live \(no heartbeat for 5m\d*s?\), last heartbeat 5m\d*s? ago \(\S+\); last run \S+, took 2s, exit code 4, 9 alert\(s\) evaluated holding partitions 4, 6 \(2\); holds now nothing$/m);
  assert.match(out, /^ {2}host-d: not live \(leaving\), /m);
  assert.match(out, /^leases: 7 held now, \d+ given back by a run in the last 1m30s, \d+ waiting for a host$/m);
  assert.match(out, /^ {2}partition 4: released by host-c 2m\d*s? ago$/m);
  assert.match(out, /^ {2}partition 6: held by host-c, ran out \d+s ago \(taken over at another host's next run\)$/m);
  assert.match(out, /^takeovers \(latest \d+\):\n {2}\S+ host-b took partition 5 from host-c$/m);
  // The hand-made host id is quoted and shown on one line, with no terminal escape.
  assert.match(out, /^ {2}"evil\\u001b\[31m\\nhost-x": live, /m);
  assert.doesNotMatch(out, /\u001b/);
  assert.doesNotMatch(out, /^host-x/m);
  assert.match(out, /^warning: .*host:old.*its body has no host id/m);
  assert.doesNotMatch(out, /^ {2}old:/m);

  const json = await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  const b = parsed.hosts.find((h: { id: string }) => h.id === 'host-b');
  assert.deepEqual({ live: b.live, not_live: b.not_live, holds: b.holds, evaluated: b.last_run.evaluated, ran: b.last_run.partitions, takeovers: b.takeovers.map((t: { lease: string; from: string }) => [t.lease, t.from]) }, {
    live: true,
    not_live: null,
    holds: { partitions: [0, 1, 2, 3, 5, 7], coordinator: true },
    evaluated: 12,
    ran: [0, 1, 2, 3, 5, 7],
    takeovers: [['5', 'host-c']],
  });
  assert.equal(parsed.hosts.find((h: { id: string }) => h.id === 'host-d').not_live, 'leaving');
  assert.equal(parsed.leases.length, 65, 'every partition and the coordinator');
  const byName = new Map(parsed.leases.map((l: { name: string }) => [l.name, l]));
  assert.deepEqual(byName.get('6'), { name: '6', state: 'expired', holder: 'host-c@bbbb2222/17/abcd0002', host: 'host-c', token: 3, until: iso(now - 40_000), free_since: iso(now - 40_000) });
  assert.equal((byName.get('coordinator') as { state: string }).state, 'held');
  assert.equal((byName.get('4') as { state: string }).state, 'released');
});

test('host leave: marks this host leaving and releases the leases it holds (not those of others), says what it did; status then shows it leaving; a file-backend project is told it has nothing to leave', { timeout: 120_000 }, async () => {
  const { project, shared, T } = await clusterHost();
  const instance = readFileSync(join(project.dir, 'state', 'local.json.instance'), 'utf8').trim();
  const now = Date.now();
  await heartbeat(shared, { id: 'host-a', holder: `host-a@${instance}`, lastSeen: now - 20_000, startedAt: now - MIN, version: '1.2.3', lastRun: { startedAt: now - 22_000, finishedAt: now - 20_000, exitCode: 0, evaluated: 1, partitions: [3, 9, 10], coordinator: true } });
  for (const name of ['3', '9', '10', 'coordinator']) await lease(shared, name, `host-a@${instance}/4242/abcd0001`, now + 20_000);
  await lease(shared, '4', 'host-b@ffff0000/17/abcd0002', now + 20_000);
  await lease(shared, '5', `host-a@${instance}/4242/abcd0001`, now - 5_000, true);
  // The same host id from another machine (another instance) is not this deployment.
  await lease(shared, '6', 'host-a@99999999/1/abcd0003', now + 20_000);
  const before5 = await stored(shared, 'part:5');

  const leave = await project.run(['host', 'leave']);
  assert.equal(leave.code, 0, leave.stderr);
  assert.match(leave.stdout, /^host-a is leaving the hosts sharing \S+: the others no longer count it live and take its share at their next run\.$/m);
  assert.match(leave.stdout, /^released partitions 3, 9-10 \(3\) and the coordinator's lease: /m);
  assert.match(leave.stdout, /^Remove this host's cron line/m);
  const after = Date.now();
  for (const name of ['3', '9', '10', 'coordinator']) {
    const doc = await stored(shared, `part:${name}`);
    assert.equal(doc.released, true, `part:${name} released`);
    assert.ok(doc.until >= now && doc.until <= after, `part:${name} until = the time of leaving`);
    assert.equal(doc.token, 3, 'a release keeps the fencing token');
  }
  assert.equal((await stored(shared, 'part:4')).released, false, 'another host\'s lease is left alone');
  assert.equal((await stored(shared, 'part:6')).released, false, 'the same host id on another machine is another deployment');
  assert.deepEqual(await stored(shared, 'part:5'), before5, 'a lease already released is not written');
  const beat = await stored(shared, 'host:host-a');
  assert.equal(beat.body.leaving, true);
  assert.deepEqual(beat.body.lastRun.partitions, [3, 9, 10], 'the rest of the heartbeat is kept');

  const status = await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(status.code, 0, status.stderr);
  const a = JSON.parse(status.stdout).hosts.find((h: { id: string }) => h.id === 'host-a');
  // Only the lease of the same host id on another machine is left (status goes by host id).
  assert.deepEqual([a.live, a.not_live, a.holds, a.takeovers], [false, 'leaving', { partitions: [6], coordinator: false }, []]);

  const again = await project.run(['host', 'leave']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^it held no lease\.$/m);

  const single = world.project();
  const file = await single.run(['host', 'leave']);
  assert.equal(file.code, 64, file.stdout + file.stderr);
  assert.match(file.stderr, /alertcron host leave is for hosts sharing a cluster state, and \S+alertcron\.yaml has state\.backend: file/);
});
