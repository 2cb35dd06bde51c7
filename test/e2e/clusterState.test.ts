import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startHttpRecorder, type HttpRecorder } from '../support/httpRecorder.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { iso, useWorld } from '../support/world.js';
import { partitionOf } from '../../src/model/partition.js';

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
let heartbeat: HttpRecorder;

before(async () => {
  heartbeat = await startHttpRecorder(() => ({ status: 200, body: 'ok' }));
});
after(async () => {
  await heartbeat.close();
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** A state index of this test file's own, deleted afterwards. */
function stateIndex(): string {
  const name = `alertcron-state-test-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(name);
  return name;
}

/**
 * Two deployment folders acting as two hosts (host-a, host-b) with the same alert over `users` logons, sharing
 * the state in one index of the real engine; short leases so that a test need not wait minutes for a takeover.
 */
async function twoHosts(users: string[], options: { esUrlOf?: (host: string) => string; delivery?: Record<string, unknown> } = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('ha-auth');
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - MIN, user)));
  const shared = stateIndex();
  const hosts = ['host-a', 'host-b'].map((host) => {
    const project = world.project();
    project.env.HEARTBEAT_URL = `${heartbeat.base}/ping/${host}`;
    const esUrl = options.esUrlOf?.(host) ?? world.esUrl;
    const base = defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
    project.writeConfig({
      ...base,
      elasticsearch: { url: esUrl, timeout: '3s' },
      run: { deadline: '10s' },
      delivery: { deadline: '8s', attempt_timeout: '3s', retries: 0, concurrency: 2, ...options.delivery },
      state: { backend: 'cluster', index: shared, host_id: host, lease_ttl: '12s', partition_lease: '6s', host_ttl: '20s', max_clock_skew: '1s', lock_wait: '4s' },
      monitoring: { notify: ['soc-email'], after_failures: 1, heartbeat_url: '${HEARTBEAT_URL}' },
    });
    project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: users.length, notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1h' });
    return project;
  });
  return { T, a: hosts[0]!, b: hosts[1]!, shared, index };
}

/** How many times each subject was mailed. */
function counts(): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of world.smtp.messages) seen.set(m.subject, (seen.get(m.subject) ?? 0) + 1);
  return seen;
}

/** The stored documents of a state index (after a refresh), by id. */
async function stateDocs(index: string): Promise<Map<string, { _seq_no: number; _source: any }>> {
  await fetch(`${world.esUrl}/${index}/_refresh`, { method: 'POST' });
  const answer = (await (await fetch(`${world.esUrl}/${index}/_search?size=1000&seq_no_primary_term=true`)).json()) as { hits: { hits: { _id: string; _seq_no: number; _source: any }[] } };
  return new Map(answer.hits.hits.map((h) => [h._id, h]));
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** As if `host` had stopped running long ago: its heartbeat (host:<id>) aged past host_ttl, so the others take its share. */
async function ageHeartbeat(index: string, host: string): Promise<void> {
  const doc = (await (await fetch(`${world.esUrl}/${index}/_doc/host:${host}`)).json()) as { _source: { body: { lastSeen: number } } };
  const old = Date.now() - 3_600_000;
  const body = { ...doc._source, last_seen: old, body: { ...doc._source.body, lastSeen: old } };
  await fetch(`${world.esUrl}/${index}/_doc/host:${host}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Runs `run` on a host, minute after minute, until every subject was mailed and a run ended well (at most `times`). */
async function runUntilMailed(host: Project, T: number, times = 12) {
  let last;
  for (let i = 0; i < times; i++) {
    last = await host.run(['run', '--json'], { ALERTCRON_NOW: iso(T + (i + 1) * MIN) });
    if (last.code === 0 && subjects.every((s) => counts().has(s))) return last;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return last!;
}

/** Runs `run` on a host until nothing is pending (at most `times`), as cron would minute after minute. */
async function runUntilDrained(host: Project, T: number, times = 4) {
  let last;
  for (let i = 0; i < times; i++) {
    last = await host.run(['run', '--json'], { ALERTCRON_NOW: iso(T + (i + 1) * MIN) });
    if (last.code === 0) return last;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return last!;
}

const users = Array.from({ length: 6 }, (_, i) => `user${i}`);
const subjects = users.map((u) => `Admin ${u}`);

test('20 runs at once across two hosts sharing the cluster state send each notification exactly once', { timeout: 180_000 }, async () => {
  const { T, a, b, shared } = await twoHosts(users);
  const runs = Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).run(['run'], { ALERTCRON_NOW: iso(T) }));
  const results = await Promise.all(runs);
  // Each run worked, or found the lease held (5), or (on a loaded machine) got it too late to send all before its deadline (4),
  // or timed out while twenty runs at once created the state index (3, said as such: fail safe, nothing evaluated).
  const ok = (r: { code: number | null; stderr: string }) => [0, 4, 5].includes(r.code!) || (r.code === 3 && r.stderr.includes('the state cluster cannot be used'));
  for (const r of results) assert.ok(ok(r), `each run worked, found the lease held or left deliveries pending: ${r.code} ${r.stderr}`);
  assert.ok(results.some((r) => r.code !== 5));
  const next = await runUntilDrained(a, T, 2);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual([...counts()].sort(), subjects.map((s) => [s, 1]), 'each user mailed once');
  const docs = await stateDocs(shared);
  const leases = [...docs.values()].filter((d) => d._source.kind === 'part');
  assert.equal(leases.length, 65, 'a lease per partition and the coordinator\'s');
  assert.ok(leases.every((d) => d._source.released), 'the last runs gave their leases back');
  assert.match(docs.get('lease:run')!._source.holder, /^partitioned-by-host-[ab]$/, 'lease:run is held for ever by the partitioned layout\'s marker: an older alertcron waits for it');
  assert.equal([...docs.values()].filter((d) => d._source.kind === 'claim' && d._source.state === 'sent').length, users.length, 'one create-only claim per notification, marked sent');
  assert.equal([...docs.keys()].filter((id) => id.startsWith('pending:')).length, 0);

  // The state is the same from either host: status, silence and ack.
  const statusA = JSON.parse((await a.run(['status', '--json'])).stdout);
  const statusB = JSON.parse((await b.run(['status', '--json'])).stdout);
  assert.deepEqual(statusA.alerts, statusB.alerts);
  const silenced = await b.run(['silence', 'add', 'admins', '--key', 'user1', '--for', '1h', '--comment', 'maintenance']);
  assert.equal(silenced.code, 0, silenced.stderr);
  const acked = await a.run(['ack', 'admins', '--key', 'user2']);
  assert.equal(acked.code, 0, acked.stderr);
  const listed = JSON.parse((await a.run(['silence', 'list', '--json'])).stdout);
  assert.deepEqual(listed.map((s: { key: string }) => s.key), ['user1'], 'a silence set on host-b is seen on host-a');

  // Requests per run: a few, not one per key.
  const quiet = await b.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(quiet.code, 0, quiet.stderr);
  const requests = JSON.parse(quiet.stdout).stateRequests;
  assert.ok(requests.requests <= 8, `state requests in a quiet run: ${JSON.stringify(requests)}`);
  // The ack is applied by the host holding the alert's partition, at its next run.
  const quietA = await a.run(['run'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(quietA.code, 0, quietA.stderr);
  // Applied once, by whichever host held the alert's partition (the coordinator then drops the op document it no longer needs).
  const applied = [...a.audit(), ...b.audit()].filter((e) => e.event === 'op_applied' && e.op === 'ack' && e.alert === 'admins');
  assert.deepEqual(applied.map((e) => e.keys), [['user2']], 'the ack from host-a applied once by the holder of its partition');
  // Both hosts run again: the ack is not applied a second time, and the coordinator (which ran after it was applied) dropped its op document.
  for (const host of [b, a]) {
    const again = await host.run(['run'], { ALERTCRON_NOW: iso(T + 6 * MIN) });
    assert.equal(again.code, 0, again.stderr);
  }
  const appliedAgain = [...a.audit(), ...b.audit()].filter((e) => e.event === 'op_applied' && e.op === 'ack' && e.alert === 'admins');
  assert.equal(appliedAgain.length, 1, 'applied once, not again by the next runs');
  const state = await stateDocs(shared);
  assert.equal(state.get(`op:${applied[0].id}`), undefined, 'the op document is gone once applied where it applies');
  // The fencing tokens: every lease has one; a lease that changed holder from one read to the next has a higher one.
  const tokensOf = (stored: typeof docs) => new Map([...stored.values()].filter((d) => d._source.kind === 'part').map((d) => [d._source.id as string, { token: d._source.token as number, holder: d._source.holder as string }]));
  const tokensBefore = tokensOf(docs);
  const tokensAfter = tokensOf(state);
  assert.equal(tokensAfter.size, 65);
  let changed = 0;
  for (const [id, now] of tokensAfter) {
    const then = tokensBefore.get(id)!;
    assert.ok(then.token >= 1 && now.token >= 1, `${id}: tokens ${then.token}, ${now.token}`);
    assert.match(now.holder, /^host-[ab]@/);
    if (now.holder === then.holder) assert.equal(now.token, then.token, `${id}: the same holder, the same token`);
    else {
      changed++;
      assert.ok(now.token > then.token, `${id}: a new holder (${now.holder} after ${then.holder}) with a higher token (${now.token} after ${then.token})`);
    }
  }
  assert.ok(changed >= 32, `the two quiet runs took leases anew: ${changed} changed holder`);
});

test('a host killed mid-delivery: the other host sends what it left, nothing is lost, at most its in-flight mails repeat', { timeout: 180_000 }, async () => {
  const { T, a, b } = await twoHosts(users, { delivery: { concurrency: 2 } });
  world.smtp.acceptDelayMs = 1_500;
  const child = a.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  await waitFor('the first mail', () => world.smtp.messages.length >= 1);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  // The sink holds each accepted mail 1.5 s before it records it: let the mails host-a had already handed over land.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  // What host-a got out before it died: the mails in flight (concurrency 2), and any accepted whose "sent" mark had
  // not reached the cluster yet (on a loaded machine the kill can land a little later than the first mail).
  const fromA = world.smtp.messages.map((m) => m.subject);
  world.smtp.acceptDelayMs = undefined;
  // host-b takes over once host-a's leases (and its claims) expired: within partition_lease plus a run or two.
  const last = await runUntilMailed(b, T);
  assert.equal(last.code, 0, last.stderr);
  const seen = counts();
  // (The coordinator may also tell that host-a stopped running: that notice is not a user's.)
  assert.deepEqual([...seen.keys()].filter((s) => s.startsWith('Admin ')).sort(), subjects, `every user mailed (host-a got ${fromA.length} out before it died)`);
  const repeatedSubjects = [...seen].filter(([, n]) => n > 1).map(([subject]) => subject);
  for (const subject of repeatedSubjects) assert.ok(fromA.includes(subject), `only what host-a had in flight is repeated, not ${subject}`);
  for (const [subject, n] of seen) assert.ok(n <= 2, `${subject} at most twice (once by each host): ${n}`);
  assert.ok(fromA.length < users.length, `host-a was killed mid-delivery (${fromA.length} of ${users.length} out)`);
});

test('the cluster becoming unreachable mid-run loses nothing; the "cluster down" notice and the heartbeat work from local memory', { timeout: 180_000 }, async () => {
  const proxy: TcpProxy = await startTcpProxy(world.esUrl);
  try {
    const { T, a, b } = await twoHosts(users, { esUrlOf: () => proxy.url });
    world.smtp.acceptDelayMs = 1_000;
    heartbeat.requests.length = 0;
    const child = a.spawn(['run'], { ALERTCRON_NOW: iso(T) });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await waitFor('the first mail', () => world.smtp.messages.length >= 1);
    proxy.cut();
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.notEqual(code, 0, 'the run could not record its work');
    world.smtp.acceptDelayMs = undefined;

    // While it is down: exit 3, one "cannot search the cluster" notice, no heartbeat.
    const down = await a.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, /state cluster cannot be used/);
    assert.ok(world.smtp.messages.some((m) => m.subject === 'alertcron on host-a cannot search the cluster'), 'the cluster-down notice went out');
    assert.ok(!heartbeat.requests.length, 'no heartbeat while failing');
    const again = await a.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
    assert.equal(again.code, 3);
    assert.equal(world.smtp.messages.filter((m) => m.subject === 'alertcron on host-a cannot search the cluster').length, 1, 'the notice once, counted in local memory');

    proxy.restore();
    const back = await runUntilDrained(a, T + 2 * MIN, 6);
    assert.equal(back.code, 0, back.stderr);
    const seen = counts();
    for (const subject of subjects) assert.ok((seen.get(subject) ?? 0) >= 1, `${subject} not lost`);
    const repeated = subjects.reduce((sum, s) => sum + (seen.get(s) ?? 0) - 1, 0);
    assert.ok(repeated <= 2, `at most the in-flight mails repeated: ${JSON.stringify([...seen])}`);
    assert.ok(world.smtp.messages.some((m) => m.subject === 'alertcron on host-a searches the cluster again'));
    assert.ok(heartbeat.requests.some((r) => r.path === '/ping/host-a'), 'the heartbeat after the good run');
    // Each host pings its own URL: host-b's good run pings /ping/host-b, and nothing pinged another host's URL.
    const pingedBeforeB = heartbeat.requests.length;
    const fromB = await b.run(['run'], { ALERTCRON_NOW: iso(T + 9 * MIN) });
    assert.equal(fromB.code, 0, fromB.stderr);
    assert.deepEqual(heartbeat.requests.slice(pingedBeforeB).map((r) => r.path), ['/ping/host-b'], 'host-b pings its own heartbeat URL once');
    assert.deepEqual([...new Set(heartbeat.requests.slice(0, pingedBeforeB).map((r) => r.path))], ['/ping/host-a'], 'host-a pinged only its own');
  } finally {
    await proxy.close();
  }
});

test('a host paused past its lease cannot overwrite the newer state: its write is refused', { timeout: 180_000 }, async () => {
  const { T, a, b, shared } = await twoHosts(users);
  world.smtp.acceptDelayMs = 2_000;
  const child = a.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // Paused while it sends: it holds the lease and has claimed its notifications.
  await waitFor('host-a to claim its notifications', async () => {
    const docs = [...(await stateDocs(shared).catch(() => new Map())).values()];
    return docs.some((d) => d._source.kind === 'claim' && d._source.holder.startsWith('host-a@'));
  });
  child.kill('SIGSTOP');
  world.smtp.acceptDelayMs = undefined;
  await new Promise((resolve) => setTimeout(resolve, 13_000));
  const newer = await runUntilDrained(b, T, 4);
  assert.equal(newer.code, 0, newer.stderr);
  const before = await stateDocs(shared);
  child.kill('SIGCONT');
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 5, stderr);
  assert.match(stderr, /took over .* meanwhile \(fencing token \d+ > \d+\); nothing of th(at|ose) partitions? was written/);
  const afterwards = await stateDocs(shared);
  // The windows are the fenced write, in the alert's partition's document: the late host changed nothing there either.
  const part = `part:${partitionOf('admins')}`;
  for (const id of ['alert:admins', 'meta:state', part]) assert.equal(afterwards.get(id)?._seq_no, before.get(id)?._seq_no, `${id} is as host-b left it`);
  assert.ok(before.get(part)!._source.body.windows.admins, `${part} holds the window of admins`);
  assert.deepEqual(afterwards.get(part)!._source.body.windows, before.get(part)!._source.body.windows, `${part}'s windows are host-b's`);
  assert.deepEqual(afterwards.get(part)!._source.token, before.get(part)!._source.token);
  const seen = counts();
  for (const subject of subjects) assert.ok((seen.get(subject) ?? 0) >= 1, `${subject} sent`);
});

test('a host whose clock is a minute off neither double-sends nor stops alerting', { timeout: 180_000 }, async () => {
  const { T, a, b, index, shared } = await twoHosts(users.slice(0, 2));
  for (const host of [a, b]) {
    const config = (await import('yaml')).parse((await import('node:fs')).readFileSync(`${host.dir}/alertcron.yaml`, 'utf8'));
    host.writeConfig({ ...config, state: { ...config.state, max_clock_skew: '1m', lease_ttl: '75s', partition_lease: '2m', host_ttl: '190s' } });
  }
  // host-a runs on time; host-b's cron runs 25 s later, with a clock 60 s behind.
  const behind = 25_000 - 60_000;
  const first = await a.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  // host-a stops after this run (its heartbeat goes stale): host-b holds every partition from now on.
  await ageHeartbeat(shared, 'host-a');
  const skewed = await b.run(['run', '--json'], { ALERTCRON_NOW: iso(T + behind) });
  assert.equal(skewed.code, 0, skewed.stderr);
  assert.deepEqual(JSON.parse(skewed.stdout).alerts.map((x: { status: string }) => x.status), ['not-due'], 'host-a ran it this minute: not a clock that went back');
  // Besides the users' notices, only the coordinator's word that host-a stopped (and runs again): no clock notice.
  const mailed = () => world.smtp.messages.map((m) => m.subject).filter((s) => !/^alertcron on host-a (stopped running|runs again)/.test(s));
  assert.equal(mailed().length, 2);
  // host-a dies; host-b alone keeps alerting on what comes next, with its slow clock.
  await indexDocs(world.esUrl, index, [logonEvent(T + 5_000, 'late')]);
  for (let minute = 1; minute <= 3; minute++) {
    const r = await b.run(['run'], { ALERTCRON_NOW: iso(T + minute * MIN + behind) });
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(mailed().sort(), ['Admin late', 'Admin user0', 'Admin user1'], 'the new key once, the old ones not again, no clock notice');
  // And a host whose clock is a minute ahead: host-a, now back, sees host-b's windows behind it and goes on.
  const ahead = await a.run(['run'], { ALERTCRON_NOW: iso(T + 4 * MIN + 60_000) });
  assert.equal(ahead.code, 0, ahead.stderr);
  assert.equal(mailed().length, 3);
});

test('state migrate moves the state to the cluster and back, verified and backed up; a host left on the cluster stops', { timeout: 180_000 }, async () => {
  const { T, a, b, shared } = await twoHosts(users.slice(0, 3));
  const { readFileSync, readdirSync } = await import('node:fs');
  const yaml = await import('yaml');
  const config = yaml.parse(readFileSync(`${a.dir}/alertcron.yaml`, 'utf8'));
  a.writeConfig({ ...config, state: { ...config.state, backend: 'file' } });
  const first = await a.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(world.smtp.messages.length, 3);
  const fileState = a.state();

  const toCluster = await a.run(['state', 'migrate', '--to', 'cluster']);
  assert.equal(toCluster.code, 0, toCluster.stderr);
  assert.match(toCluster.stdout, /moved the state from the file backend to the cluster backend \(1 alerts, 0 pending deliveries, 0 silences\), verified; backup: .*state-backup-file-/);
  assert.equal(yaml.parse(readFileSync(`${a.dir}/alertcron.yaml`, 'utf8')).state.backend, 'cluster');
  assert.ok(readdirSync(`${a.dir}/state`).some((f) => f.startsWith('state-backup-file-')));
  const docs = await stateDocs(shared);
  const windowsOf = (stored: typeof docs) => stored.get(`part:${partitionOf('admins')}`)!._source.body.windows.admins;
  assert.deepEqual({ ...docs.get('alert:admins')!._source.body, ...windowsOf(docs) }, fileState.alerts.admins, 'the alert state as the file had it (its window in its partition\'s document)');
  const receiptIds = (fileState.sent as { id: string }[]).map((s) => s.id).sort();
  assert.equal(receiptIds.length, 3, 'the file\'s receipts (from its receipt log)');
  assert.deepEqual([...docs.keys()].filter((id) => id.startsWith('sent:')).map((id) => id.slice(5)).sort(), receiptIds, 'every receipt moved to the cluster');

  // Either host goes on from the moved state: nothing is sent again.
  const fromB = await b.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(fromB.code, 0, fromB.stderr);
  assert.equal(world.smtp.messages.length, 3, 'host-b knows what host-a sent');

  const toFile = await a.run(['state', 'migrate', '--to', 'file']);
  assert.equal(toFile.code, 0, toFile.stderr);
  assert.equal(yaml.parse(readFileSync(`${a.dir}/alertcron.yaml`, 'utf8')).state.backend, 'file');
  assert.equal(a.state().alerts.admins.window.to, windowsOf(await stateDocs(shared)).window.to);
  assert.deepEqual(a.state().sent.map((s: { id: string }) => s.id).sort(), receiptIds, 'and back to the file\'s receipt log');
  const onFile = await a.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(onFile.code, 0, onFile.stderr);
  assert.equal(world.smtp.messages.length, 3);
  const stale = await b.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(stale.code, 5, 'host-b, still set to the cluster, stops');
  assert.match(stale.stderr, /the state was moved from the cluster index .* to a file \(moved-to-file-by-host-a\)/);
  assert.equal(world.smtp.messages.length, 3);
});
