// Regressions for problems a code review found: each test drives the CLI the way a user would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

async function firingProject(extraConfig: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-review');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project({ extraConfig });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email', 'soc-slack'], title: 'Admin {{key}}' });
  return { T, index, project };
}

test('runs racing to take over a dead run\'s lock still send each notification once', async () => {
  const { T, project } = await firingProject();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const lock = join(project.dir, 'state', 'state.json.lock');
  mkdirSync(lock, { recursive: true });
  const identity = { boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), pidns: readlinkSync('/proc/self/ns/pid') };
  writeFileSync(`${lock}-owner`, JSON.stringify({ pid: Number(dead), host: hostname(), ...identity, lock: statSync(lock).ino }));
  utimesSync(lock, new Date(), new Date());
  const results = await Promise.all(Array.from({ length: 6 }, () => project.run(['run'], { ALERTCRON_NOW: iso(T) })));
  for (const r of results) assert.ok(r.code === 0 || r.code === 5, `exit ${r.code}: ${r.stderr}`);
  assert.equal(world.smtp.messages.length, 1);
  assert.equal(world.slack.accepted().length, 1);
});

test('credentials inside the cluster URL are refused, so they can never be printed', async () => {
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl }), elasticsearch: { url: 'http://alertcron:${ES_PASSWORD}@127.0.0.1:9200' } });
  const result = await project.run(['validate'], { ES_PASSWORD: 'supersecretpw' });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'alertcron.yaml:2:8 /elasticsearch/url: credentials must not be part of the URL: use username and password (or api_key) beside it\n1 problem(s) in 1 file(s); 0 alert(s) valid, 0 disabled, 2 channel(s)\n');
});

test('an SMTP server that stalls after its greeting is cut off by the delivery deadline', async () => {
  const stalled = createServer((socket) => socket.write('220 stalled.example ESMTP\r\n'));
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  try {
    const { T, project } = await firingProject();
    const config = defaultConfig({ esUrl: world.esUrl, slackUrl: world.slack.url });
    const channels = config.channels as Record<string, Record<string, unknown>>;
    channels['soc-email'] = { ...channels['soc-email'], port: (stalled.address() as AddressInfo).port, timeout: '60s' };
    project.writeConfig({ ...config, delivery: { deadline: '4s', attempt_timeout: '2s', retries: 0 } });
    const started = Date.now();
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /-> soc-email: SMTP 127\.0\.0\.1:\d+: timed out \(will retry next run\)/);
    assert.ok(Date.now() - started < 20_000, 'the run ended at its deadline, not at the channel\'s 60 s timeout');
    assert.equal(world.slack.accepted().length, 1, 'the other channel was delivered meanwhile');
  } finally {
    stalled.close();
  }
});

test('a Slack channel\'s own timeout applies even when the attempt timeout is longer', async () => {
  const { T, project } = await firingProject();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  (config.channels as Record<string, Record<string, unknown>>)['soc-slack']!.timeout = '1s';
  project.writeConfig({ ...config, delivery: { deadline: '40s', attempt_timeout: '30s', retries: 0 } });
  world.slack.behaviour = 'hang';
  const started = Date.now();
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4);
  assert.match(result.stderr, /-> soc-slack: timed out/);
  assert.ok(Date.now() - started < 15_000, 'cut off by the channel\'s 1 s timeout, not the 30 s attempt timeout');
});

test('a script whose second finding is malformed fails the alert without marking the first as notified', async () => {
  const { T, index, project } = await firingProject();
  const script = (body: string) => writeFileSync(join(project.dir, 'alerts', 'pick.mjs'), `export const match = () => ${body};\n`);
  project.writeAlert('admins', { index, condition: { type: 'script', module: 'pick.mjs' }, notify: ['soc-email'], title: 'key {{key}}' });
  script("[{ key: 'a' }, { key: 'b', samples: 5 }]");
  const broken = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(broken.code, 3);
  assert.match(broken.stderr, /^alert admins: pick\.mjs: match\(\) returned item 1 whose samples is not a list$/m);
  script("[{ key: 'a' }, { key: 'b' }]");
  const fixed = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['key a', 'key b']);
});

test('test --send with its own window neither moves the schedule nor sends other alerts\' pending deliveries', async () => {
  const { T, index, project } = await firingProject();
  project.writeAlert('other', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'other' });
  world.slack.behaviour = 'server-error';
  await project.run(['run', '--only', 'other'], { ALERTCRON_NOW: iso(T) });
  world.slack.behaviour = 'ok';
  world.slack.requests.length = 0;
  const sent = await project.run(['test', 'admins', '--from', '5m', '--send'], { ALERTCRON_NOW: iso(T) });
  assert.equal(sent.code, 0, sent.stderr);
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['Admin root']);
  const state = project.state();
  assert.equal(state.alerts.admins.lastRunAt, undefined);
  assert.deepEqual(state.pending.map((p: { alert: string }) => p.alert), ['other']);
  const run = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 1000) });
  assert.equal(JSON.parse(run.stdout).alerts.find((a: { name: string }) => a.name === 'admins').status, 'ok', 'still due right after test --send');
});

test('run --dry-run and list leave a corrupt state file where it is', async () => {
  const { T, project } = await firingProject();
  mkdirSync(join(project.dir, 'state'), { recursive: true });
  writeFileSync(join(project.dir, 'state', 'state.json'), '{ not json');
  const dry = await project.run(['run', '--dry-run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /^warning: state file .* is not valid JSON .*; a run will move it aside$/m);
  assert.equal((await project.run(['list'])).code, 0);
  assert.deepEqual(readdirSync(join(project.dir, 'state')).filter((f) => f.startsWith('state.json')), ['state.json']);
});
