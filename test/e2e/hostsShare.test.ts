import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { assignLeases, COORDINATOR, partitionOf } from '../../src/model/partition.js';
import { KEPT_TAKEOVERS } from '../../src/state/cluster/hosts.js';
import { LeasePoller, startGateProxy } from '../support/hosts.js';
import { defaultConfig, type CliResult, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// Hosts sharing the alerts through the cluster state (issue 28): each alert evaluated by exactly one host a minute,
// one fused _msearch per host, every notice once, run --json naming only the host's own alerts and its partitions,
// the share of a host that stopped running taken by the others, and the coordinator telling it once (and its return).

const MIN = 60_000;
const HOST_TTL_MS = 15_000;
const world = useWorld();
const stateIndices: string[] = [];

after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** One deployment: its folder and host id. */
interface Host {
  id: string;
  project: Project;
}

/** What one run of one host said (run --json), with the host and minute it ran for. */
interface HostRun {
  host: string;
  minute: number;
  result: CliResult;
  report: any;
}

const USERS = ['ann', 'bob'];

/**
 * `n` deployment folders (host-1 ... host-n, each its own local_file) with the same `count` alerts over one logon
 * index (two users logging on a minute before T: each alert fires once per user), sharing one state index, with
 * short leases and host_ttl so that the test waits seconds, not minutes; `extra` is added to every alert (a digest),
 * and `esUrlOf` gives a host another engine URL (a gate proxy).
 */
async function deployments(n: number, count: number, options: { extra?: Record<string, unknown>; esUrlOf?: (id: string) => string } = {}): Promise<{ T: number; hosts: Host[]; alerts: string[]; index: string; shared: string }> {
  const T = uniqueBaseTime();
  const index = await world.index('share-auth');
  await indexDocs(world.esUrl, index, USERS.map((user) => logonEvent(T - MIN, user)));
  const shared = `alertcron-state-share-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const alerts = Array.from({ length: count }, (_, i) => `logons-${String(i).padStart(2, '0')}`);
  const hosts = Array.from({ length: n }, (_, i) => {
    const id = `host-${i + 1}`;
    const project = world.project();
    const base = defaultConfig({ esUrl: options.esUrlOf?.(id) ?? world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
    project.writeConfig({
      ...base,
      run: { deadline: '10s' },
      delivery: { deadline: '8s', attempt_timeout: '3s', retries: 0, concurrency: 4 },
      state: { backend: 'cluster', index: shared, host_id: id, partition_lease: '4s', host_ttl: `${HOST_TTL_MS / 1000}s`, max_clock_skew: '1s', lock_wait: '4s' },
      monitoring: { notify: ['soc-email'], after_failures: 1 },
    });
    for (const name of alerts) {
      project.writeAlert(name, { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: `${name} {{key}}`, throttle: '1h', ...options.extra });
    }
    return { id, project };
  });
  return { T, hosts, alerts, index, shared };
}

/** Runs `run --json` on a host for alert-time minute `minute` after T. */
async function runAt(host: Host, T: number, minute: number): Promise<HostRun> {
  const result = await host.project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + minute * MIN) });
  let report: any;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    assert.fail(`${host.id} minute ${minute}: no JSON report (exit ${result.code}): ${result.stderr}`);
  }
  return { host: host.id, minute, result, report };
}

/** The alerts a run evaluated (searched), by name. */
function evaluated(run: HostRun): string[] {
  return run.report.alerts.filter((a: { status: string }) => a.status !== 'not-due').map((a: { name: string }) => a.name);
}

/** Checks one run: it worked, says its host and partitions, lists only alerts of its partitions, and searched once (one fused _msearch). */
function checkRun(run: HostRun): void {
  const where = `${run.host} minute ${run.minute}`;
  assert.equal(run.result.code, 0, `${where}: ${run.result.stderr}`);
  assert.equal(run.report.host, run.host, `${where}: run --json names the host`);
  const held = new Set<number>(run.report.partitions?.held);
  assert.ok(run.report.partitions && Array.isArray(run.report.partitions.took) && Array.isArray(run.report.partitions.skipped), `${where}: run --json has partitions`);
  for (const alert of run.report.alerts) assert.ok(held.has(partitionOf(alert.name)), `${where}: ${alert.name} (partition ${partitionOf(alert.name)}) is not one of its partitions ${[...held]}`);
  const searched = evaluated(run).length;
  assert.equal(run.report.clusterRequests, searched ? 1 : 0, `${where}: one fused _msearch for its ${searched} alerts`);
}

/** For each minute, which hosts evaluated each alert. */
function byMinute(runs: readonly HostRun[]): Map<number, Map<string, string[]>> {
  const minutes = new Map<number, Map<string, string[]>>();
  for (const run of runs) {
    const alerts = minutes.get(run.minute) ?? new Map<string, string[]>();
    minutes.set(run.minute, alerts);
    for (const name of evaluated(run)) alerts.set(name, [...(alerts.get(name) ?? []), run.host]);
  }
  return minutes;
}

/** Asserts that in each of these minutes every alert was evaluated by exactly one host. */
function exactlyOnce(runs: readonly HostRun[], alerts: readonly string[], minutes: readonly number[]): void {
  const seen = byMinute(runs);
  for (const minute of minutes) {
    const hostsOf = seen.get(minute) ?? new Map();
    for (const alert of alerts) assert.equal((hostsOf.get(alert) ?? []).length, 1, `minute ${minute}: ${alert} evaluated by ${JSON.stringify(hostsOf.get(alert) ?? [])}`);
  }
}

/** Asserts that each alert's evaluated windows, across hosts and minutes, follow each other without gap or overlap. */
function contiguousWindows(runs: readonly HostRun[]): void {
  const windows = new Map<string, { from: number; to: number; host: string }[]>();
  for (const run of runs) {
    for (const alert of run.report.alerts) {
      if (!alert.window) continue;
      const list = windows.get(alert.name) ?? [];
      windows.set(alert.name, list);
      list.push({ from: Date.parse(alert.window.from), to: Date.parse(alert.window.to), host: run.host });
    }
  }
  for (const [alert, list] of windows) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++) {
      assert.equal(list[i]!.from, list[i - 1]!.to, `${alert}: the window of ${list[i]!.host} starts where ${list[i - 1]!.host}'s ended (no gap, no overlap)`);
    }
  }
}

/** How many times each subject was mailed. */
function mailCounts(): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of world.smtp.messages) seen.set(m.subject, (seen.get(m.subject) ?? 0) + 1);
  return seen;
}

/** Every alert's notice for every user, mailed exactly once. */
function everyNoticeOnce(alerts: readonly string[]): void {
  const counts = mailCounts();
  for (const alert of alerts) for (const user of USERS) assert.equal(counts.get(`${alert} ${user}`), 1, `${alert} ${user} mailed once: ${counts.get(`${alert} ${user}`) ?? 0}`);
}

test('two hosts split 30 alerts: each evaluated by exactly one host a minute, run back to back and at once; one _msearch each; every notice once', { timeout: 120_000 }, async () => {
  const { T, hosts, alerts } = await deployments(2, 30);
  const runs: HostRun[] = [];
  // Minute 0, one after the other: the first host is alone at first (it holds every partition and evaluates all).
  for (const host of hosts) runs.push(await runAt(host, T, 0));
  // Then back to back in both orders, and at once.
  for (const host of hosts) runs.push(await runAt(host, T, 1));
  for (const host of [...hosts].reverse()) runs.push(await runAt(host, T, 2));
  runs.push(...(await Promise.all(hosts.map((host) => runAt(host, T, 3)))));
  runs.push(...(await Promise.all(hosts.map((host) => runAt(host, T, 4)))));
  runs.forEach(checkRun);
  exactlyOnce(runs, alerts, [0, 1, 2, 3, 4]);
  contiguousWindows(runs);
  everyNoticeOnce(alerts);
  // Once both are live, each holds a share: both evaluated alerts, and their partitions do not overlap.
  const last = runs.filter((r) => r.minute === 4);
  assert.ok(last.every((r) => evaluated(r).length > 0), `both hosts evaluate a share: ${last.map((r) => evaluated(r).length)}`);
  const [p1, p2] = last.map((r) => new Set<number>(r.report.partitions.held));
  assert.ok([...p1!].every((p) => !p2!.has(p)), 'no partition held by both hosts in one minute');
  assert.equal(last.filter((r) => r.report.partitions.coordinator).length, 1, 'one coordinator');
  // run --only an alert the other host holds: nothing evaluated here, and a warning says where it runs.
  const elsewhere = alerts.find((a) => p1!.has(partitionOf(a)))!;
  const only = await hosts[1]!.project.run(['run', '--only', elsewhere, '--json'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(only.code, 0, only.stderr);
  const report = JSON.parse(only.stdout);
  assert.deepEqual(report.alerts, []);
  assert.ok(report.warnings.some((w: string) => w.startsWith(`not evaluated here: ${elsewhere} (partition ${partitionOf(elsewhere)})`)), JSON.stringify(report.warnings));
});

test('three hosts share 36 alerts; one stops running: the others take its share within host_ttl, its windows resume, the stop and the return told once each', { timeout: 180_000 }, async () => {
  const { T, hosts, alerts } = await deployments(3, 36);
  const runs: HostRun[] = [];
  for (const host of hosts) runs.push(await runAt(host, T, 0));
  let minute = 1;
  for (; minute <= 2; minute++) runs.push(...(await Promise.all(hosts.map((host) => runAt(host, T, minute)))));
  runs.forEach(checkRun);
  exactlyOnce(runs, alerts, [0, 1, 2]);
  everyNoticeOnce(alerts);

  // host-3 stops running (its cron is gone). The others go on, minute after minute, as cron would.
  const [h1, h2] = hosts as [Host, Host, Host];
  const stoppedAt = Date.now();
  let takenAt: number | undefined;
  const afterStop: HostRun[] = [];
  while (Date.now() - stoppedAt < HOST_TTL_MS + 25_000) {
    const round = await Promise.all([h1, h2].map((host) => runAt(host, T, minute)));
    round.forEach(checkRun);
    afterStop.push(...round);
    const covered = new Set(round.flatMap(evaluated));
    minute++;
    if (alerts.every((a) => covered.has(a))) {
      takenAt = Date.now();
      break;
    }
  }
  assert.ok(takenAt, `host-3's alerts were taken over within ${HOST_TTL_MS + 25_000} ms`);
  assert.ok(takenAt - stoppedAt <= 2 * MIN, 'within two minutes');
  // Until they are taken, host-3's alerts wait (evaluated by nobody, never by two): their windows resume where host-3's ended.
  const seen = byMinute(afterStop);
  for (const hostsOf of seen.values()) for (const [alert, by] of hostsOf) assert.equal(by.length, 1, `${alert} evaluated once: ${by}`);
  exactlyOnce(afterStop, alerts, [minute - 1]);
  const down = () => world.smtp.messages.filter((m) => m.subject === 'alertcron on host-3 stopped running');
  const back = () => world.smtp.messages.filter((m) => m.subject === 'alertcron on host-3 runs again');
  // The notice goes out from the holder of its partition: a run or two of the others.
  for (let extra = 0; extra < 3 && !down().length; extra++, minute++) afterStop.push(...(await Promise.all([h1, h2].map((host) => runAt(host, T, minute)))));
  assert.equal(down().length, 1, `host-3's stop told once: ${world.smtp.messages.map((m) => m.subject)}`);
  assert.match(down()[0]!.raw.replace(/=\r\n/g, ''), /has not run since .* \(its share moved to host-[12]/);
  for (let extra = 0; extra < 2; extra++, minute++) afterStop.push(...(await Promise.all([h1, h2].map((host) => runAt(host, T, minute)))));
  assert.equal(down().length, 1, 'told once, not every minute');

  // host-3 runs again: it takes its share back (its windows go on from where the others left them), and its return is told once.
  const returned: HostRun[] = [];
  for (let i = 0; i < 4; i++, minute++) returned.push(...(await Promise.all(hosts.map((host) => runAt(host, T, minute)))));
  returned.forEach(checkRun);
  exactlyOnce(returned, alerts, [minute - 1, minute - 2]);
  const lastOf3 = returned.filter((r) => r.host === 'host-3' && r.minute === minute - 1);
  assert.ok(lastOf3.length === 1 && evaluated(lastOf3[0]!).length > 0, 'host-3 holds a share again');
  assert.equal(back().length, 1, `host-3's return told once: ${world.smtp.messages.map((m) => m.subject)}`);
  assert.equal(down().length, 1);
  contiguousWindows([...runs, ...afterStop, ...returned]);
  everyNoticeOnce(alerts);
});

test('a host killed mid-delivery: the other takes its leases once they run out (a lease_takeover), its windows resume where it stopped, nothing lost', { timeout: 120_000 }, async () => {
  const { T, hosts, alerts, index } = await deployments(2, 20);
  const [h1, h2] = hosts as [Host, Host];
  const runs: HostRun[] = [];
  for (const host of hosts) runs.push(await runAt(host, T, 0));
  runs.forEach(checkRun);
  const ofH2 = alerts.filter((a) => runs[1]!.report.partitions.held.includes(partitionOf(a)));
  assert.ok(ofH2.length > 0, 'host-2 holds a share');
  // Two new users log on: every alert fires again in minute 1. host-1 sends its share; host-2 is killed while it sends.
  await indexDocs(world.esUrl, index, ['cy', 'dee'].map((user) => logonEvent(T + 30_000, user)));
  runs.push(await runAt(h1, T, 1));
  const before = world.smtp.messages.length;
  world.smtp.acceptDelayMs = 1_500;
  const spawnedAt = Date.now();
  const child = h2.project.spawn(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const deadline = Date.now() + 20_000;
  while (world.smtp.messages.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGKILL');
  const killedAt = Date.now();
  await new Promise((resolve) => child.on('close', resolve));
  // status right after the kill: host-2's leases are still its own (held, or run out and not yet taken over).
  const share2 = shareOf('host-2', ['host-1', 'host-2']);
  const atKill = await statusJson(h1, T, 1);
  const leaseOf = new Map(atKill.leases.map((l: { name: string }) => [l.name, l]));
  for (const p of share2.partitions) {
    const lease = leaseOf.get(String(p)) as { host?: string; state: string };
    assert.equal(lease.host, 'host-2', `partition ${p}: host-2's killed run is its last holder: ${JSON.stringify(lease)}`);
    assert.ok(['held', 'expired'].includes(lease.state), `partition ${p}: never given back by the killed run: ${lease.state}`);
  }
  const hostsAtKill = new Map(atKill.hosts.map((h: { id: string }) => [h.id, h]));
  // What host-2 holds is exactly the partitions whose lease its killed run still holds (those not yet run out), all of its share.
  const heldBy2 = atKill.leases.filter((l: { name: string; state: string; host?: string }) => l.state === 'held' && l.host === 'host-2' && l.name !== 'coordinator').map((l: { name: string }) => Number(l.name)).sort((a: number, b: number) => a - b);
  assert.ok(heldBy2.every((p: number) => share2.partitions.includes(p)), `host-2's held leases are of its share: ${heldBy2}`);
  assert.deepEqual([...(hostsAtKill.get('host-2') as { holds: { partitions: number[] } }).holds.partitions].sort((a, b) => a - b), heldBy2, 'status shows host-2 holding the partitions whose lease it holds');
  assert.deepEqual((hostsAtKill.get('host-1') as { holds: unknown }).holds, { partitions: [], coordinator: false }, 'host-1 holds nothing between its runs');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const inFlight = new Set(world.smtp.messages.slice(before).map((m) => m.subject));
  world.smtp.acceptDelayMs = undefined;
  assert.ok(inFlight.size < ofH2.length * 2, `host-2 was killed mid-delivery (${inFlight.size} of ${ofH2.length * 2} out)`);

  // host-1 alone from now on: once host-2's leases ran out (partition_lease + max_clock_skew, not host_ttl), it takes them over.
  const later: HostRun[] = [];
  let minute = 2;
  for (; minute < 12; minute++) {
    const run = await runAt(h1, T, minute);
    later.push(run);
    if (run.report.partitions.took.length && run.result.code === 0 && !run.report.pending) break;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  const took = later.flatMap((r) => r.report.partitions.took);
  assert.ok(took.length > 0 && took.every((t: { from: string }) => /^host-2(@|$)/.test(t.from)), `host-1 took host-2's leases over: ${JSON.stringify(took)}`);
  const tookLeases = new Set(took.map((t: { lease: string }) => Number(t.lease)));
  for (const alert of ofH2) assert.ok(tookLeases.has(partitionOf(alert)), `${alert}'s partition taken over`);
  const audited = h1.project.audit().filter((e) => e.event === 'lease_takeover');
  assert.deepEqual(audited.map((e) => e.lease).sort(), took.map((t: { lease: string }) => t.lease).sort(), 'each takeover audited by the host that took it');
  assert.ok(audited.every((e) => e.host === 'host-1' && /^host-2(@|$)/.test(e.from)));
  // host-2's killed run had written its windows before it sent: host-1 resumes its alerts at the end of minute 1.
  const takeover = later.find((r) => r.report.partitions.took.length)!;
  for (const alert of ofH2) {
    const evaluatedThere = takeover.report.alerts.find((a: { name: string }) => a.name === alert);
    assert.equal(evaluatedThere?.window?.from, iso(T + MIN), `${alert} resumes where host-2's killed run ended`);
  }
  // status (text and --json) after these real runs: both hosts, the partitions each held in its last run, the last
  // heartbeat of each (host-2's from the start of its killed run), and host-1's takeovers from host-2.
  const lastOf1 = later[later.length - 1]!;
  const status = await statusJson(h1, T, minute);
  const byId = new Map(status.hosts.map((h: { id: string }) => [h.id, h]));
  assert.deepEqual([...byId.keys()].sort(), ['host-1', 'host-2']);
  const s1 = byId.get('host-1') as any;
  const s2 = byId.get('host-2') as any;
  assert.equal(s1.live, true);
  assert.ok(Date.parse(s1.last_heartbeat) >= killedAt && Date.parse(s1.last_heartbeat) <= Date.now(), `host-1's last heartbeat is of its last run: ${s1.last_heartbeat}`);
  assert.ok(Date.parse(s2.last_heartbeat) >= spawnedAt && Date.parse(s2.last_heartbeat) <= killedAt, `host-2's last heartbeat is the start of its killed run: ${s2.last_heartbeat}`);
  assert.deepEqual(s1.last_run.partitions, [...lastOf1.report.partitions.held].sort((a: number, b: number) => a - b), 'host-1\'s last run and the partitions it held');
  assert.equal(s1.last_run.evaluated, evaluated(lastOf1).length);
  assert.deepEqual(s2.last_run.partitions, [...runs[1]!.report.partitions.held].sort((a: number, b: number) => a - b), 'host-2\'s last finished run (minute 0) and its partitions');
  // (A heartbeat keeps the host's KEPT_TAKEOVERS latest: here host-2's whole share was taken over, over 20 leases.)
  assert.deepEqual(s1.takeovers.map((t: { lease: string }) => t.lease), took.map((t: { lease: string }) => t.lease).slice(-KEPT_TAKEOVERS), 'host-1\'s latest takeovers listed');
  assert.ok(s1.takeovers.every((t: { from: string }) => /^host-2(@|$)/.test(t.from)));
  assert.ok(status.leases.every((l: { state: string }) => l.state !== 'held'), 'no lease held between runs');
  const text = await h1.project.run(['status'], { ALERTCRON_NOW: iso(T + minute * MIN) });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^hosts: \d live of 2$/m);
  assert.match(text.stdout, new RegExp(`^ {2}host-1: live, last heartbeat \\S+ ago \\(${s1.last_heartbeat.replace(/[.]/g, '\\.')}\\); last run \\S+, took \\S+, exit code 0, ${s1.last_run.evaluated} alert\\(s\\) evaluated holding partitions .*; holds now nothing$`, 'm'));
  assert.match(text.stdout, new RegExp(`^ {2}host-2: .*last heartbeat \\S+ ago \\(${s2.last_heartbeat.replace(/[.]/g, '\\.')}\\); last run `, 'm'));
  const listed = [...text.stdout.matchAll(/^ {2}\S+ host-1 took (partition (\d+)|the coordinator's lease) from host-2$/gm)].map((m) => m[2] ?? 'coordinator');
  const tookLeaseNames = took.map((t: { lease: string }) => t.lease);
  assert.equal(listed.length, Math.min(10, took.length), `the latest takeovers (at most 10) in the text: ${text.stdout}`);
  assert.ok(listed.every((lease) => tookLeaseNames.includes(lease)), `each listed takeover is one host-1 made: ${listed}`);

  // Every notice out; only what host-2 had in flight may have gone twice.
  const counts = mailCounts();
  for (const alert of alerts) {
    for (const user of [...USERS, 'cy', 'dee']) {
      const subject = `${alert} ${user}`;
      const n = counts.get(subject) ?? 0;
      assert.ok(n === 1 || (n === 2 && inFlight.has(subject)), `${subject} mailed ${n} times`);
    }
  }
});

test('hosts running at once prune an ended silence once: the coordinator forgets it, the others leave it (no conflicting deletes)', { timeout: 120_000 }, async () => {
  const { T, hosts, alerts } = await deployments(3, 6);
  const runs: HostRun[] = [];
  for (const host of hosts) runs.push(await runAt(host, T, 0));
  const added = await hosts[1]!.project.run(['silence', 'add', alerts[0]!, '--key', 'ann', '--for', '1m', '--comment', 'maintenance'], { ALERTCRON_NOW: iso(T) });
  assert.equal(added.code, 0, added.stderr);
  // prune_after (7d) after the silence ended, every host runs at once: each reads it, only the coordinator forgets it.
  const later = 8 * 24 * 60;
  const round = await Promise.all(hosts.map((host) => runAt(host, T, later)));
  round.forEach(checkRun);
  assert.equal(round.filter((r) => r.report.partitions.coordinator).length, 1, 'one coordinator');
  const listed = JSON.parse((await hosts[0]!.project.run(['silence', 'list', '--all', '--json'], { ALERTCRON_NOW: iso(T + later * MIN) })).stdout);
  assert.deepEqual(listed, [], 'the ended silence was forgotten');
});

/** `status --json` of a host at a minute after T. */
async function statusJson(host: Host, T: number, minute: number): Promise<any> {
  const result = await host.project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + minute * MIN) });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** The partitions the rendezvous assignment gives `host` among `live`, sorted, and whether it owns the coordinator's lease. */
function shareOf(host: string, live: readonly string[]): { partitions: number[]; coordinator: boolean } {
  const owners = assignLeases(live);
  const partitions = [...owners].filter(([lease, owner]) => owner === host && lease !== COORDINATOR).map(([lease]) => Number(lease));
  return { partitions: partitions.sort((a, b) => a - b), coordinator: owners.get(COORDINATOR) === host };
}

/** The alerts whose run at this minute put every user's finding into its open digest (the digests that run opened or added to). */
function digestedAlerts(run: HostRun, users: readonly string[] = USERS): string[] {
  return run.report.alerts.filter((a: { findings: { key: string; digested?: boolean }[] }) => users.every((u) => a.findings.some((f) => f.key === u && f.digested))).map((a: { name: string }) => a.name);
}

/**
 * Minute -2, host-1 then host-2, with no finding yet (ann and bob log on at T - 1m): a heartbeat for each, so that
 * from minute 0 each holds its own share (the first host alone would otherwise hold, and open, everything).
 */
async function warmUp(hosts: readonly Host[], T: number, runs: HostRun[]): Promise<void> {
  for (const host of hosts) runs.push(await runAt(host, T, -2));
  for (const run of runs) assert.deepEqual(run.report.alerts.flatMap((a: { findings: unknown[] }) => a.findings), [], `${run.host} minute -2: no finding yet`);
}

test('a host joins: it holds its whole rendezvous share by its second run, an alert waits at most the join minute (caught up); digests opened before the move by both hosts are sent once by the new holder with every row', { timeout: 180_000 }, async () => {
  const { T, hosts, alerts, index } = await deployments(3, 24, { extra: { digest: { every: '4m' } } });
  const [h1, h2, h3] = hosts as [Host, Host, Host];
  const runs: HostRun[] = [];
  // host-1 and host-2 share the alerts; at minute 0 each opens the digests of its own alerts (until minute 4) with ann and bob.
  await warmUp([h1, h2], T, runs);
  for (const host of [h1, h2]) runs.push(await runAt(host, T, 0));
  runs.push(...(await Promise.all([h1, h2].map((host) => runAt(host, T, 1)))));
  // cy logs on in minute 2, a third row of every digest; host-3 joins at minute 2: from then on the three run at once.
  await indexDocs(world.esUrl, index, [logonEvent(T + 90_000, 'cy')]);
  for (let minute = 2; minute <= 5; minute++) runs.push(...(await Promise.all(hosts.map((host) => runAt(host, T, minute)))));
  runs.forEach(checkRun);
  const run = (host: string, minute: number) => runs.find((r) => r.host === host && r.minute === minute)!;

  // By its second run (minute 3) host-3 holds every lease the assignment among the three gives it, and keeps them.
  const live = hosts.map((h) => h.id);
  const share3 = shareOf('host-3', live);
  assert.ok(share3.partitions.length > 0, 'host-3 has a share');
  for (const minute of [3, 4, 5]) {
    const partitions = run('host-3', minute).report.partitions;
    assert.deepEqual({ partitions: [...partitions.held].sort((a: number, b: number) => a - b), coordinator: !!partitions.coordinator }, share3, `minute ${minute}: host-3 holds its share`);
  }
  for (const host of live) for (const minute of [4, 5]) assert.deepEqual([...run(host, minute).report.partitions.held].sort((a: number, b: number) => a - b), shareOf(host, live).partitions, `minute ${minute}: ${host} holds its share`);
  // No alert evaluated twice in a minute; one evaluated by nobody only in the join minute (the partition changing
  // hands, docs/hosts.md), and its next window catches that minute up (no gap, no overlap).
  exactlyOnce(runs, alerts, [0, 1, 3, 4, 5]);
  for (const alert of alerts) {
    const by = byMinute(runs).get(2)?.get(alert) ?? [];
    assert.ok(by.length <= 1, `minute 2: ${alert} evaluated by ${by}`);
  }
  contiguousWindows(runs);

  // The digests: each opened at minute 0 by the host holding the alert then (host-1 or host-2, each its own), sent once,
  // by the host holding the alert at minute 4, with the three rows; no notice per key.
  const opened1 = digestedAlerts(run('host-1', 0));
  const opened2 = digestedAlerts(run('host-2', 0));
  assert.deepEqual([...opened1, ...opened2].sort(), [...alerts].sort(), 'every digest opened at minute 0, by one host');
  assert.deepEqual(opened2.sort(), alerts.filter((a) => shareOf('host-2', ['host-1', 'host-2']).partitions.includes(partitionOf(a))), 'host-2 opened the digests of its own share');
  const moved = alerts.filter((a) => share3.partitions.includes(partitionOf(a)));
  assert.ok(moved.some((a) => opened1.includes(a)) && moved.some((a) => opened2.includes(a)), `digests opened by host-1 and by host-2 moved to host-3: ${moved}`);
  const digestSends = runs.flatMap((r) => r.report.deliveries.filter((d: { reason?: string; ok: boolean }) => d.reason === 'digest' && d.ok).map((d: { alert: string }) => ({ alert: d.alert, host: r.host, minute: r.minute })));
  for (const alert of alerts) {
    const sends = digestSends.filter((d) => d.alert === alert);
    const holder = runs.find((r) => r.minute === 4 && evaluated(r).includes(alert))!.host;
    assert.deepEqual(sends, [{ alert, host: holder, minute: 4 }], `${alert}: its digest sent once, by its holder at minute 4 (${holder})`);
    if (moved.includes(alert)) assert.equal(holder, 'host-3');
    const mails = world.smtp.messages.filter((m) => m.subject.startsWith(`${alert}: `));
    assert.equal(mails.length, 1, `${alert}: one digest mail: ${mails.map((m) => m.subject)}`);
    assert.match(mails[0]!.subject, /: 3 findings in the last 4 minutes \(3 keys\)$/);
    const body = mails[0]!.raw.replace(/=\r\n/g, '');
    for (const user of [...USERS, 'cy']) assert.match(body, new RegExp(`\\b${user}\\b`), `${alert}: the row of ${user}`);
  }
  assert.equal(world.smtp.messages.filter((m) => / (ann|bob|cy)$/.test(m.subject)).length, 0, 'every finding went into the digests');
});

test('a host killed while its digests are open: the other takes its partitions over and sends each digest once; every row in one digest (the killed minute\'s findings neither lost nor counted twice)', { timeout: 180_000 }, async (t) => {
  const giveUpAt = Date.now() + 180_000 - 30_000;
  const gate = await startGateProxy(world.esUrl);
  t.after(() => gate.close());
  const { T, hosts, alerts, index, shared } = await deployments(2, 16, { extra: { digest: { every: '3m' }, samples: 0 }, esUrlOf: (id) => (id === 'host-2' ? gate.url : world.esUrl) });
  const [h1, h2] = hosts as [Host, Host];
  const runs: HostRun[] = [];
  // Minute 0: both share the alerts, each opens the digests of its own (ann and bob, until minute 3).
  await warmUp(hosts, T, runs);
  for (const host of hosts) runs.push(await runAt(host, T, 0));
  runs.forEach(checkRun);
  const [at0of1, at0of2] = runs.filter((r) => r.minute === 0) as [HostRun, HostRun];
  const ofH2 = alerts.filter((a) => at0of2.report.partitions.held.includes(partitionOf(a)));
  assert.ok(ofH2.length > 0, 'host-2 holds a share');
  assert.deepEqual(digestedAlerts(at0of2).sort(), ofH2, 'host-2\'s own run put ann and bob into the digests of its alerts');
  assert.deepEqual(digestedAlerts(at0of1).sort(), alerts.filter((a) => !ofH2.includes(a)), 'host-1\'s run, into those of its own');
  // cy logs on in minute 1; host-1 runs it; host-2 is killed while its search is held (its leases taken, nothing written).
  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'cy')]);
  runs.push(await runAt(h1, T, 1));
  const poller = new LeasePoller(world.esUrl, shared, alerts, 50).start();
  const held = gate.hold(/_msearch/);
  const child = h2.project.spawn(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  const closed = new Promise((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  const search = await held;
  await poller.poll();
  assert.ok(poller.heldBy(child.pid!).length > 0, 'host-2\'s run holds its leases');
  child.kill('SIGKILL');
  assert.equal(await closed, 'SIGKILL');
  search.open();
  await poller.stop();
  // host-1 alone: once host-2's leases ran out its runs take them over and catch host-2's alerts up. A digest is due
  // from minute 3; findings caught up after its period ended (cy, when the takeover comes at minute 4) go to the next.
  const rowsOf = (alert: string) => world.smtp.messages.filter((m) => m.subject.startsWith(`${alert}: `)).map((m) => m.raw.replace(/=\r\n/g, ''));
  const complete = (alert: string) => [...USERS, 'cy'].every((user) => rowsOf(alert).some((body) => new RegExp(`\\b${user}\\b`).test(body)));
  // (Between the takeover and host-2's heartbeat going stale, host-2's partitions given back by host-1 wait for their
  // owner: host_ttl, then host-1 holds them all; so the runs go on for up to host_ttl and more, wall clock, until every
  // digest is out or the test's own time nearly ran out. From the takeover on, alert time moves a digest period a run,
  // so that each run reaches the next due minute however slow the runs are.)
  const tookFrom2 = (r: HostRun) => r.report.partitions.took.some((t: { from: string }) => /^host-2(@|$)/.test(t.from));
  let minute = 2;
  while (!(minute > 3 && alerts.every(complete)) && Date.now() < giveUpAt) {
    runs.push(await runAt(h1, T, minute));
    minute += runs.some(tookFrom2) ? 3 : 1;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  const takeover = runs.find(tookFrom2);
  assert.ok(takeover, 'host-1 took host-2\'s leases over');
  assert.ok(alerts.every(complete), `every row out before the test's time ran out (last minute ${minute})`);
  assert.deepEqual(poller.violations(), [], 'one holder at a time');
  const digestSends = runs.flatMap((r) => r.report.deliveries.filter((d: { reason?: string; ok: boolean }) => d.reason === 'digest' && d.ok).map((d: { alert: string }) => ({ alert: d.alert, host: r.host, minute: r.minute })));
  for (const alert of alerts) {
    const mails = world.smtp.messages.filter((m) => m.subject.startsWith(`${alert}: `));
    const sends = digestSends.filter((d) => d.alert === alert);
    const where: string = `${alert}${ofH2.includes(alert) ? ` (host-2's, taken over at minute ${takeover.minute})` : ''}`;
    assert.equal(sends.length, mails.length, `${where}: each digest sent once: ${JSON.stringify(sends)}`);
    assert.ok(sends.every((d) => d.host === 'host-1'), `${where}: sent by host-1`);
    // Every row in exactly one digest, and the findings counted once.
    for (const user of [...USERS, 'cy']) assert.equal(rowsOf(alert).filter((body) => new RegExp(`\\b${user}\\b`).test(body)).length, 1, `${where}: the row of ${user} in one digest: ${mails.map((m) => m.subject)}`);
    const findings = mails.reduce((sum, m) => sum + Number(/: (\d+) findings? in the last/.exec(m.subject)?.[1] ?? NaN), 0);
    assert.equal(findings, 3, `${where}: 3 findings in all: ${mails.map((m) => m.subject)}`);
    if (!ofH2.includes(alert)) assert.equal(mails.length, 1, `${where}: host-1's own digest has the three rows`);
  }
  // The digests opened at minute 0 by host-2 were sent by host-1 once it held them.
  for (const alert of ofH2) assert.ok(digestSends.find((d) => d.alert === alert)!.minute >= takeover.minute, `${alert}: sent from the takeover on`);
  contiguousWindows(runs);
});
