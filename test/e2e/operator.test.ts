import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpRecorder } from '../support/httpRecorder.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

async function adminProject(extra: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-operator');
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '10m', notify: ['soc-slack'], title: 'Admin {{key}} on {{host.name}}', ...extra });
  const logon = (at: number, user: string, host = 'dc01') => indexDocs(world.esUrl, index, [logonEvent(at, user, { host })]);
  const titles = () => (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  return { T, project, logon, titles };
}

test('silence add, list and expire: silenced findings are audited, not sent; by key or by field value', async () => {
  const { T, project, logon, titles } = await adminProject();
  const add = await project.run(['silence', 'add', 'admins', '--key', 'root', '--for', '2h', '--comment', 'patching dc01', '--author', 'alice'], { ALERTCRON_NOW: iso(T - 5 * MIN) });
  assert.equal(add.code, 0, add.stderr);
  const id = /^silenced: ([0-9a-f]{8}) {2}admins {2}key "root" {2}until (\S+) {2}by alice: patching dc01$/.exec(add.stdout.trim());
  assert.ok(id, add.stdout);
  assert.equal(id[2], iso(T + 115 * MIN));
  const byHost = await project.run(['silence', 'add', 'admins', '--match', 'host.name=db09', '--for', '1h', '--comment', 'db migration'], { ALERTCRON_NOW: iso(T - 5 * MIN), USER: 'bob' });
  assert.equal(byHost.code, 0, byHost.stderr);

  await logon(T - MIN, 'root');
  await logon(T - MIN, 'admin', 'db09');
  await logon(T - MIN, 'Administrator');
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(titles(), ['Admin Administrator on dc01']);
  const decisions = project.audit().filter((e) => e.event === 'decision').map((e) => [e.key, e.reason]).sort();
  assert.deepEqual(decisions, [['Administrator', 'first'], ['admin', 'silenced'], ['root', 'silenced']]);

  const list = await project.run(['silence', 'list'], { ALERTCRON_NOW: iso(T) });
  assert.equal(list.stdout.trim().split('\n').length, 2);
  assert.match(list.stdout, /admins {2}host\.name="db09" {2}until .* by bob: db migration/);

  const expire = await project.run(['silence', 'expire', id[1]!], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(expire.code, 0, expire.stderr);
  await logon(T + 90_000, 'root');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.deepEqual(titles(), ['Admin Administrator on dc01', 'Admin root on dc01'], 'after expire, the key fires again');
  const json = JSON.parse((await project.run(['silence', 'list', '--all', '--json'], { ALERTCRON_NOW: iso(T + 2 * MIN) })).stdout);
  assert.deepEqual(json.map((s: { active: boolean; comment: string }) => [s.comment, s.active]).sort(), [['db migration', true], ['patching dc01', false]]);
  const unknown = await project.run(['silence', 'expire', 'deadbeef']);
  assert.equal(unknown.code, 64);
  assert.equal(unknown.stderr, 'alertcron: no silence with id deadbeef (see alertcron silence list --all)\n');
});

test('ack stops repeats until the key stops matching; a new occurrence after that fires again', async () => {
  const { T, project, logon, titles } = await adminProject({ throttle: '0s' });
  await logon(T - MIN, 'root');
  await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  const ack = await project.run(['ack', 'admins', '--key', 'root', '--by', 'carol'], { ALERTCRON_NOW: iso(T + 10_000) });
  assert.equal(ack.code, 0, ack.stderr);
  assert.equal(ack.stdout, 'acknowledged admins: "root" (until it stops matching)\n');
  await logon(T + 30_000, 'root');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(titles().length, 1, 'acknowledged: no repeat although throttle is 0s');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  await logon(T + 150_000, 'root');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(titles().length, 2, 'it stopped matching for a run, so the next occurrence fires');
  const nothing = await project.run(['ack', 'admins', '--key', 'nobody']);
  assert.equal(nothing.code, 64);
});

test('resolved notices: one, to the same channels, after the key stopped matching for resolve_after runs', async () => {
  const { T, project, logon, titles } = await adminProject({ resolve_after: 2 });
  await logon(T - MIN, 'root');
  await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(titles().length, 1, 'one run without it is not enough');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.deepEqual(titles(), ['Admin root on dc01', 'Resolved: Admin root on dc01']);
  assert.ok(project.audit().some((e) => e.event === 'delivered' && e.reason === 'resolved'));
});

test('status shows the last run, firing keys with their next repeat, pending deliveries and silences; --json too', async () => {
  const { T, project, logon } = await adminProject();
  await logon(T - MIN, 'root');
  world.slack.behaviour = 'server-error';
  await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  await project.run(['silence', 'add', 'admins', '--for', '1h', '--comment', 'noisy', '--author', 'dan'], { ALERTCRON_NOW: iso(T) });
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T) });
  assert.equal(status.code, 0, status.stderr);
  const lines = status.stdout.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^last run: ${iso(T)}, took \\S+, exit code 4$`));
  assert.equal(lines[1], `admins: searched up to ${iso(T)}`);
  assert.equal(lines[2], `  firing "root": notified 1 time(s), last ${iso(T)}, next repeat after ${iso(T + 10 * MIN)}; firing since ${iso(T)} (for 0s)`);
  assert.equal(lines[3], 'pending deliveries: 1');
  assert.match(lines[4]!, new RegExp(`^  admins "root" -> soc-slack since ${iso(T)}, 2 attempt\\(s\\): Slack answered HTTP 500 rollup_error$`));
  assert.equal(lines[5], 'active silences: 1');
  assert.match(lines[6]!, /^ {2}[0-9a-f]{8} {2}admins {2}all keys {2}until .* by dan: noisy$/);
  const json = JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T) })).stdout);
  assert.equal(json.last_run.exit_code, 4);
  assert.equal(json.alerts[0].firing[0].key, 'root');
  assert.equal(json.pending[0].channel, 'soc-slack');
  assert.ok(!JSON.stringify(json).includes('SECRETTOKEN'));
});

test('self-monitoring: one notice when the cluster fails 3 runs in a row, one when it recovers; heartbeat after good runs', async () => {
  const heartbeat = await startHttpRecorder(() => ({ status: 200, body: 'OK' }));
  try {
    const { T, project } = await adminProject();
    project.env.HEARTBEAT_URL = `${heartbeat.base}/ping/abc`;
    const config = (esUrl: string) => ({ ...defaultConfig({ esUrl, smtpPort: world.smtp.port }), monitoring: { notify: ['soc-email'], after_failures: 3, heartbeat_url: '${HEARTBEAT_URL}' } });
    project.writeConfig(config('http://127.0.0.1:9'));
    for (let i = 0; i < 4; i++) assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + i * MIN) })).code, 3);
    assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['alertcron cannot search the cluster']);
    assert.match(world.smtp.messages[0]!.raw, /3 runs in a row failed since/);
    assert.equal(heartbeat.requests.length, 0, 'no heartbeat while runs fail');
    project.writeConfig(config(world.esUrl));
    const back = await project.run(['run'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['alertcron cannot search the cluster', 'alertcron searches the cluster again']);
    assert.deepEqual(heartbeat.requests.map((r) => [r.method, r.path]), [['GET', '/ping/abc']]);
    assert.deepEqual(project.audit().filter((e) => e.event.startsWith('source_')).map((e) => e.event), ['source_down', 'source_recovered']);
  } finally {
    await heartbeat.close();
  }
});

test('runs racing a silence add lose nothing: the silence and every run\'s window are in the state', async () => {
  const { T, project, logon, titles } = await adminProject();
  await logon(T - MIN, 'root');
  const [silence, ...runs] = await Promise.all([
    project.run(['silence', 'add', 'admins', '--key', 'root', '--for', '1h', '--comment', 'race'], { ALERTCRON_NOW: iso(T - 30_000) }),
    project.run(['run'], { ALERTCRON_NOW: iso(T) }),
    project.run(['run'], { ALERTCRON_NOW: iso(T) }),
  ]);
  assert.equal(silence.code, 0, silence.stderr);
  for (const r of runs) assert.ok(r.code === 0 || r.code === 5, r.stderr);
  const state = project.state();
  assert.equal(state.silences.length, 1, 'the silence survived the runs\' writes');
  assert.equal(state.alerts.admins.window.to, T, 'the run\'s window survived the silence\'s write');
  assert.ok(titles().length <= 1);
});

test('a failing heartbeat is one warning line that does not show the URL (the check\'s secret)', async () => {
  const heartbeat = await startHttpRecorder(() => ({ status: 500, body: 'down' }));
  try {
    const { T, project } = await adminProject();
    project.env.HEARTBEAT_URL = `${heartbeat.base}/ping/5e6f-secret-uuid`;
    project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, slackUrl: world.slack.url }), monitoring: { heartbeat_url: '${HEARTBEAT_URL}' } });
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, 'the run itself succeeded');
    assert.equal(result.stderr, 'warning: the heartbeat URL answered HTTP 500\n');
    assert.equal(heartbeat.requests.length, 1);
  } finally {
    await heartbeat.close();
  }
});
