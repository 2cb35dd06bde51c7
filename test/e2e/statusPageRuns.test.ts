// The status page as cron sees it, through bin/alertcron.js: its file mode under a strict umask, `status --html`
// silent on success, the page of a run that failed, and a page of many firing keys cut to a readable size.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** A project whose alert fires per user name, its page under www/ written by each run. */
async function pageProject(name: string) {
  const T = uniqueBaseTime();
  const index = await world.index(name);
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const p = world.project();
  const page = join(p.dir, 'www', 'status.html');
  const config = (esUrl: string) => ({ ...defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { status_page: page } });
  p.writeConfig(config(world.esUrl));
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title: 'Admin {{key}}' });
  return { T, p, page, index, config };
}

test('under umask 077 the page a run writes and the one status --html writes are 0644; status --html prints nothing unless --verbose', async () => {
  const { T, p, page } = await pageProject('status-umask');
  const byHand = join(p.dir, 'by-hand', 'status.html');
  const umask = process.umask(0o077);
  let ran, quiet, verbose;
  try {
    ran = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
    quiet = await p.run(['status', '--html', byHand], { ALERTCRON_NOW: iso(T) });
    verbose = await p.run(['status', '--html', join(p.dir, 'verbose.html'), '--verbose'], { ALERTCRON_NOW: iso(T) });
  } finally {
    process.umask(umask);
  }
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(statSync(page).mode & 0o777, 0o644, 'the page a run wrote is readable by a web server');
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, '', 'nothing on stderr: no cron mail');
  assert.equal(quiet.stdout, '');
  assert.equal(statSync(byHand).mode & 0o777, 0o644, 'the page status --html wrote is readable by a web server');
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.match(verbose.stderr, /^status page written to .*verbose\.html$/m);
});

test('a run that cannot reach the state cluster (exit 3) writes a page that says so, with a banner naming the error', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('status-cluster-down');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const p = world.project();
  const page = join(p.dir, 'www', 'status.html');
  const shared = `alertcron-state-page-${Math.random().toString(36).slice(2, 8)}`;
  const config = (esUrl: string) => ({
    ...defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    elasticsearch: { url: esUrl, timeout: '2s' },
    run: { deadline: '20s' },
    state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s' },
    monitoring: { status_page: page },
  });
  p.writeConfig(config(world.esUrl));
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title: 'Admin {{key}}' });
  try {
    const first = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(first.code, 0, first.stderr);
    assert.match(readFileSync(page, 'utf8'), /<section id="firing">/, 'a full page while the cluster answers');
    p.writeConfig(config('http://127.0.0.1:9'));
    const down = await p.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
    assert.equal(down.code, 3, down.stderr);
    const html = readFileSync(page, 'utf8');
    assert.match(html, /<p class="bad banner">this run could not use the state cluster: [^<]*127\.0\.0\.1:9/, 'the banner names the error');
    assert.match(html, /the state cannot be read: /, 'the page says the state could not be read, not what it was before');
    assert.doesNotMatch(html, /<section id="firing">/);
    assert.equal(statSync(page).mode & 0o777, 0o644);
  } finally {
    await fetch(`${world.esUrl}/${shared}*`, { method: 'DELETE' }).catch(() => undefined);
  }
});

test('a page of many firing keys (20,000 in the state) lists the newest 300 and says how many more; the acknowledged keys too', async () => {
  const { FileStateStore } = await import('../../src/state/fileStore.js');
  const { plainMap } = await import('../../src/util/plainMap.js');
  const { T, p, page, index } = await pageProject('status-many-keys');
  // The acknowledged keys match again (an acknowledgement lasts while its key matches).
  await indexDocs(world.esUrl, index, Array.from({ length: 400 }, (_, i) => logonEvent(T - 30_000, `user-${i}`)));
  type Key = import('../../src/model/state.js').KeyState;
  const keys = plainMap<Key>();
  for (let i = 0; i < 20_000; i++) {
    const at = T - 2 * 86_400_000 + i * 1000;
    keys[`user-${i}`] = i < 1_000
      ? { firstSeen: at, lastSeen: T - 2 * MIN, lastFired: at, fired: 1, delivered: { 'soc-email': at }, lastTitle: `Admin user-${i}`, ...(i < 400 ? { acknowledged: { at: at + 1, by: 'alice' } } : {}) }
      : { firstSeen: at, lastSeen: at, lastFired: at, resolvedAt: at + 1, fired: 1, delivered: { 'soc-email': at }, lastTitle: `Admin user-${i}` };
  }
  const store = new FileStateStore(join(p.dir, 'state', 'state.json'), 5_000);
  const tx = await store.begin();
  tx.data.alerts.admins = { window: { from: T - 2 * MIN, to: T - MIN }, lastRunAt: T - MIN, keys };
  await tx.commit();
  await tx.release();
  const run = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(page, 'utf8');
  // What the state holds, all of it (status --json lists every key): the page shows the newest 300 of each list.
  const json = JSON.parse((await p.run(['status', '--json'], { ALERTCRON_NOW: iso(T) })).stdout) as { alerts: { firing: unknown[] }[]; acks: unknown[] };
  const firing = json.alerts[0]!.firing.length;
  const acks = json.acks.length;
  assert.ok(firing > 300 && acks > 300, `firing ${firing}, acknowledged ${acks}`);
  const rowsOf = (id: string) => (html.match(new RegExp(`<section id="${id}">[\\s\\S]*?</section>`))![0].match(/<tr><td>/g) ?? []).length;
  assert.equal(rowsOf('firing'), 300, 'the firing section lists the cap');
  assert.ok(html.includes(`<section id="firing"><h2>Firing keys <span class="muted count">(${firing})</span>`), 'its heading counts them all');
  assert.ok(html.includes(`<p class="more">and ${firing - 300} more `), 'and says how many more');
  assert.ok(html.includes('<code>user-999</code>') && !html.includes('<code>user-0</code>'), 'the newest are listed');
  assert.equal(rowsOf('acks'), 300);
  assert.ok(html.includes(`<p class="more">and ${acks - 300} more `));
  assert.ok(html.length < 1_000_000, `a page of ${html.length} characters`);
});

test('a state cluster that never answers is not asked again for the page: the run makes the requests it makes without a page', async () => {
  const T = uniqueBaseTime();
  const connections = { count: 0 };
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    connections.count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const p = world.project();
  const page = join(p.dir, 'www', 'status.html');
  const config = (statusPage?: string) => ({
    ...defaultConfig({ esUrl: url, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    elasticsearch: { url, timeout: '2s' },
    run: { deadline: '20s' },
    state: { backend: 'cluster', index: 'alertcron-state-silent', host_id: 'host-a', lease_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s' },
    ...(statusPage ? { monitoring: { status_page: statusPage } } : {}),
  });
  p.writeAlert('admins', { index: 'silent-logs', condition: { type: 'any' }, notify: ['soc-email'], title: 'Admin' });
  try {
    p.writeConfig(config());
    const plain = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
    const without = connections.count;
    p.writeConfig(config(page));
    const paged = await p.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
    const withPage = connections.count - without;
    assert.equal(plain.code, 3, plain.stderr);
    assert.equal(paged.code, 3, paged.stderr);
    assert.ok(without > 0, 'the run asked the silent cluster');
    assert.equal(withPage, without, 'the page asked the cluster nothing more');
    assert.match(readFileSync(page, 'utf8'), /the state cannot be read: /);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
