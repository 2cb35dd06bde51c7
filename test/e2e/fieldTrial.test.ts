// What a field trial of the run found (never miss, never spam, never wedge): each test drives the CLI against
// the real engine and sinks, and fails without its fix.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { completeLines } from '../support/files.js';
import { createServer, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

test('a query the cluster cannot parse fails only its own alert, named with its file; the others are delivered (exit 2)', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-badquery');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root'), logonEvent(T - MIN, 'admin')]);
  const project = world.project({ extraConfig: { elasticsearch: { url: world.esUrl, timeout: '10s', msearch_chunk: 4 } } });
  project.writeQuery('bad.json', { query: { bogus_query: { field: 'x' } } });
  for (const name of ['a-first', 'b-second', 'd-fourth', 'e-fifth', 'f-sixth']) {
    project.writeAlert(name, { index, condition: { type: 'any' }, notify: ['soc-slack'], title: `${name} fired` });
  }
  project.writeAlert('c-broken', { index, query: 'bad.json', condition: { type: 'any' }, notify: ['soc-slack'], title: 'never' });
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 2, 'an alert whose query is rejected is a configuration error');
  assert.match(result.stderr, /^alert c-broken: alerts\/c-broken\.yaml: the cluster rejected this alert's search: .*unknown query \[bogus_query\].*\(fix the query; the other alerts ran\)$/m);
  assert.equal(result.stderr.trim().split('\n').length, 1, `only the broken alert is reported: ${result.stderr}`);
  const titles = (world.slack.accepted() as { text: string }[]).map((p) => p.text).sort();
  assert.deepEqual(titles, ['a-first fired', 'b-second fired', 'd-fourth fired', 'e-fifth fired', 'f-sixth fired']);
  const report = JSON.parse(result.stdout);
  assert.ok(report.clusterRequests > 2, 'the chunk holding the culprit was split and sent again');
  const state = project.state();
  assert.equal(state.alerts['c-broken'].window, undefined, 'the broken alert keeps its window');
  assert.ok(state.alerts['a-first'].window, 'the others move on');
  assert.deepEqual(state.sources.elasticsearch, { failures: 0 }, 'the cluster is healthy: self-monitoring is not told');
});

test('a run ends by its deadline: a cluster that never answers is a failed search, not a hung run', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const T = uniqueBaseTime();
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const project = world.project({ extraConfig: { elasticsearch: { url, timeout: '5m' }, run: { deadline: '3s' } } });
    project.writeAlert('admins', { index: 'winlogbeat-*', condition: { type: 'any' }, notify: ['soc-slack'] });
    const started = Date.now();
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /alert admins: the run reached its deadline \(run\.deadline\) before elasticsearch answered; the window will be searched again next run/);
    assert.ok(Date.now() - started < 30_000, 'the run did not wait for the cluster\'s 5 minute timeout');
    assert.equal(project.state().alerts.admins.window, undefined, 'the window did not move');
    assert.equal(project.state().lastRun.exitCode, 3, 'the run recorded what it did before it exited');
  } finally {
    silent.close();
  }
});

test('a run ends by its deadline: deliveries and write-backs share it, a hanging channel stays pending', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-deadline');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project({ extraConfig: { delivery: { deadline: '40s', attempt_timeout: '30s', retries: 1 }, run: { deadline: '4s' } } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-slack'] });
  world.slack.behaviour = 'hang';
  const started = Date.now();
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4, result.stderr);
  assert.ok(Date.now() - started < 30_000, 'the run ended at run.deadline, not at the 40 s delivery deadline');
  assert.equal(project.state().pending.length, 1, 'the notice stays pending for the next run');
  world.slack.behaviour = 'ok';
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.accepted().length, 1);
});

/** Waits until `check` holds, polling; fails after `ms` (a bound on a hang, not a timing assertion). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a run killed during delivery: the next run sends only what was not accepted, the mail is not sent twice', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-kill');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project({ extraConfig: { delivery: { deadline: '40s', attempt_timeout: '30s', retries: 0 } } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-email', 'soc-slack'], title: 'Admin logon' });
  world.slack.behaviour = 'hang';
  const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  await until(() => world.smtp.messages.length === 1 && world.slack.requests.length === 1, 'the mail accepted and the Slack post in flight');
  // The journal's file appears before its first line is written (the folder is synced in between): wait for the line.
  await until(() => completeLines(join(project.dir, 'state', 'state.json.journal')) >= 1, 'the accepted mail journalled');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  world.slack.behaviour = 'ok';
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.smtp.messages.length, 1, 'the mail accepted before the kill is not sent again');
  assert.equal(world.slack.accepted().length, 1, 'the Slack notice in flight is sent by the next run');
  assert.deepEqual(project.state().pending, []);
  assert.ok(!existsSync(join(project.dir, 'state', 'state.json.journal')), 'the journal is folded into the state');
});

test('a lock left by a killed run of an older version (owner file inside, stale) is taken over, not an ENOTEMPTY on every run', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-stale');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-slack'] });
  const lock = join(project.dir, 'state', 'state.json.lock');
  mkdirSync(lock, { recursive: true });
  writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: 999_999, host: 'elsewhere' }));
  const old = new Date(Date.now() - 40_000);
  utimesSync(lock, old, old);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(world.slack.accepted().length, 1);
});

test('a live lock owned from another pid namespace (a container sharing the folder) is not taken over', async () => {
  const project = world.project({ extraConfig: { state: { lock_wait: '1s' } } });
  project.writeAlert('admins', { index: 'none-*', condition: { type: 'any' }, notify: ['soc-slack'] });
  const lock = join(project.dir, 'state', 'state.json.lock');
  mkdirSync(lock, { recursive: true });
  // Its pid means nothing here (pid 1 of another namespace is not our init): only staleness may free it.
  const identity = { host: hostname(), boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), pidns: 'pid:[1]' };
  writeFileSync(`${lock}-owner`, JSON.stringify({ pid: 999_999, ...identity, lock: statSync(lock).ino }));
  const result = await project.run(['run']);
  assert.equal(result.code, 5, result.stderr);
  assert.match(result.stderr, /another alertcron run holds the lock/);
});

/** A project whose alert `flappy` matches `root` only in the minutes listed; returns the titles Slack received. */
async function flappingProject(alert: Record<string, unknown>, minutesWithEvents: number[]) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-flap');
  await indexDocs(world.esUrl, index, minutesWithEvents.map((m) => logonEvent(T + m * MIN + 1_000, 'root')));
  const project = world.project();
  project.writeAlert('flappy', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '30m', title: 'Logon {{key}}', lookback: '1m', ...alert });
  const runAt = async (minute: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + (minute + 1) * MIN) });
    assert.equal(result.code, 0, result.stderr);
  };
  return { project, runAt, titles: () => (world.slack.accepted() as { text: string }[]).map((p) => p.text) };
}

test('a key that comes and goes is told once per throttle, not "first", "resolved", "first" every minute', async () => {
  const { runAt, titles } = await flappingProject({ resolve_after: 1 }, [0, 2, 4, 6, 8]);
  for (let minute = 0; minute < 10; minute++) await runAt(minute);
  assert.deepEqual(titles(), ['Logon root', 'Resolved: Logon root']);
});

test('resolve_after as a span of time: a key resolves only after it has been absent that long', async () => {
  const { project, runAt, titles } = await flappingProject({ resolve_after: '5m' }, [0, 2, 4]);
  for (let minute = 0; minute < 9; minute++) await runAt(minute);
  assert.deepEqual(titles(), ['Logon root'], 'absent for 4 minutes: not resolved yet');
  await runAt(9);
  assert.deepEqual(titles(), ['Logon root', 'Resolved: Logon root']);
  assert.equal(project.state().alerts.flappy.keys.root.lastFired !== undefined, true, 'the throttle clock survives resolution');
});

test('after an ack, a key that comes and goes is not told again inside its throttle', async () => {
  const { project, runAt, titles } = await flappingProject({}, [0, 2, 4, 6]);
  await runAt(0);
  const ack = await project.run(['ack', 'flappy']);
  assert.equal(ack.code, 0, ack.stderr);
  for (let minute = 1; minute < 8; minute++) await runAt(minute);
  assert.deepEqual(titles(), ['Logon root']);
});

test('keys beyond group_size are said loudly, and a key the search could not show is not resolved', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-groups');
  const project = world.project();
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: 5, resolve_after: 1, notify: ['soc-slack'], title: 'Logon {{key}}', lookback: '1m' });
  await indexDocs(world.esUrl, index, [logonEvent(T + 1_000, 'zed')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) })).code, 0);
  // More keys than a run examines (ten pages of group_size, see groupPages.test.ts): zed, the quietest, is beyond them.
  const users = Array.from({ length: 60 }, (_, i) => `user${i}`);
  await indexDocs(world.esUrl, index, [...users.flatMap((u) => [logonEvent(T + MIN + 1_000, u), logonEvent(T + MIN + 2_000, u)]), logonEvent(T + MIN + 3_000, 'zed')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: alert users: \d+ matching event\(s\) fall under more than group_size \(5\) values of winlog\.event_data\.TargetUserName: those keys were not seen \(raise group_size\)/);
  assert.ok(project.audit().some((e) => e.event === 'incomplete' && e.alert === 'users'));
  const titles = (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  assert.ok(!titles.some((t) => t.startsWith('Resolved')), `zed still matches, beyond the top 5: not resolved (${titles.join(', ')})`);
});

test('a noisy alert is capped at run.max_findings with one summary notice, and the other alerts are still delivered', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-noisy');
  const users = Array.from({ length: 30 }, (_, i) => `noisy${String(i).padStart(2, '0')}`);
  await indexDocs(world.esUrl, index, [...users.map((u) => logonEvent(T - MIN, u)), logonEvent(T - MIN, 'root', { code: '4625' })]);
  const project = world.project({ extraConfig: { run: { max_findings: 10 } } });
  project.writeAlert('noisy', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: 'Noisy {{key}}' });
  project.writeAlert('quiet', { index, query: { query: { term: { 'event.code': '4625' } } }, condition: { type: 'any' }, notify: ['soc-email'], title: 'Failed logon' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: alert noisy: 21 more notice\(s\) than run\.max_findings \(10\) were summed up in one/);
  const titles = (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  assert.equal(titles.length, 11);
  assert.ok(titles.includes('noisy: 21 more findings this run'), titles.join(', '));
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Failed logon']);
  const keys = project.state().alerts.noisy.keys;
  assert.equal(keys._more.fired, 1, 'the summary is a key of its own, throttled like the others');
  assert.ok(Object.values(keys).every((k: any) => k.lastFired !== undefined), 'the summed-up keys are throttled as if told, so the next run does not tell them one by one');
  await indexDocs(world.esUrl, index, users.map((u) => logonEvent(T + 30_000, u)));
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.accepted().length, 11, 'nothing more inside the throttle');
});

test('the default ingest_delay (30s) sees an event indexed a few seconds after a run searched its minute', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-late');
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, slackUrl: world.slack.url });
  project.writeConfig({ ...config, defaults: { first_lookback: '10m' } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'late event' });
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  // The shipper delivers an event stamped 10 s before that run only now.
  await indexDocs(world.esUrl, index, [logonEvent(T - 10_000, 'root')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) })).code, 0);
  assert.equal(world.slack.accepted().length, 1);
  assert.equal(project.state().alerts.admins.window.to, T + MIN - 30_000, 'windows end 30 s before now');
});

test('a clock stepped back 10 minutes does not silence alerting: said on stderr, audit, status and the monitoring channel, and events are not lost', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-clock');
  const project = world.project({ extraConfig: { monitoring: { notify: ['soc-email'], after_failures: 3 } } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: 'Logon {{key}}' });
  for (let minute = 1; minute <= 3; minute++) assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + minute * MIN) })).code, 0);
  // The clock is stepped back 10 minutes; a shipper on this host stamps its events with that clock.
  const back = T + 3 * MIN - 10 * MIN;
  await indexDocs(world.esUrl, index, [logonEvent(back + 20_000, 'mallory')]);
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(back + MIN) });
  assert.match(status.stdout, /admins: searched up to .* \(ahead of the clock by 9m: the clock went back; the next run resumes before now\)/);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(back + MIN) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: the clock went back 9m behind the last run \(admins\)/);
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['Logon mallory'], 'the event stamped after the step is alerted on at once');
  assert.ok(project.audit().some((e) => e.event === 'clock_went_back' && e.alert === 'admins'));
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ["alertcron's clock went back behind its search windows"]);
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(back + 2 * MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(next.stderr, '', 'the next run is back to normal');
});

test('a jump forward of 48 hours that is corrected does not lose the events of the time in between', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-jump');
  const project = world.project({ extraConfig: { defaults: { first_lookback: '10m', ingest_delay: '0s', max_catchup: '24h' } } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: 'Logon {{key}}' });
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  // The clock jumps 48 h ahead for two runs, then is corrected; meanwhile real events arrive.
  for (const minute of [1, 2]) assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + 48 * 60 * MIN + minute * MIN) })).code, 0);
  await indexDocs(world.esUrl, index, [logonEvent(T + 2 * MIN, 'trudy')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['Logon trudy']);
});

test('a new alert whose search fails for longer than first_lookback keeps its first start', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-start');
  await indexDocs(world.esUrl, index, [logonEvent(T - 2 * MIN, 'root')]);
  const project = world.project();
  project.writeQuery('bad.json', { query: { bogus_query: {} } });
  project.writeAlert('admins', { index, query: 'bad.json', condition: { type: 'any' }, notify: ['soc-slack'], first_lookback: '5m' });
  for (let minute = 0; minute < 10; minute++) assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + minute * MIN) })).code, 2);
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-slack'], first_lookback: '5m' });
  const fixed = await project.run(['run'], { ALERTCRON_NOW: iso(T + 10 * MIN) });
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal(world.slack.accepted().length, 1, 'the event of the first minutes is found once the query is fixed');
});
