// monitoring.metrics_file: after each run (a failing one too) a Prometheus textfile for node_exporter, read back by
// promtool (the Go parser and linter) and by the oracle venv's prometheus_client parser.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BIN, defaultConfig, type Project } from '../support/project.js';
import { parseWithPrometheusClient, promtoolCheckMetrics, promtoolMissing, sampleValue, type ParsedFamily } from '../support/promCheck.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useChannelServers } from '../support/channelWorld.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const hasStrace = spawnSync('strace', ['-V']).status === 0;
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** A project whose alert `admins` fires per user to both channels, writing its metrics to alertcron.prom in the project. */
function metricsProject(index: string, extra: Record<string, unknown> = {}): Project {
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { metrics_file: 'metrics/alertcron.prom' }, ...extra });
  mkdirSync(join(project.dir, 'metrics'));
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email', 'soc-slack'], title: 'Admin {{key}}' });
  return project;
}

/** The metrics file's text, checked for what both parsers let pass: a trailing newline, HELP and TYPE per family, no timestamp. */
async function readMetrics(project: Project, t: { diagnostic(message: string): void }): Promise<{ text: string; families: ParsedFamily[] }> {
  const file = join(project.dir, 'metrics', 'alertcron.prom');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the last line ends with a newline');
  const skip = promtoolMissing();
  if (skip) t.diagnostic(skip);
  else assert.deepEqual(await promtoolCheckMetrics(text), { code: 0, stdout: '', stderr: '' }, 'promtool check metrics: parses and lints clean');
  const families = await parseWithPrometheusClient(text);
  for (const family of families) {
    assert.equal(family.type, 'gauge', `${family.name} is a gauge of the last run (no counter without a running total)`);
    assert.ok(family.help.length > 10 && !family.help.startsWith('Metric read from'), `${family.name} has its own HELP`);
    assert.match(family.name, /^alertcron_[a-z_]+$/);
    for (const sample of family.samples) assert.equal(sample.timestamp, null, `${sample.name} has no timestamp (node_exporter skips such files)`);
  }
  // Nothing but the file itself is left in the folder: the temporary file of the write was renamed over it.
  assert.deepEqual(readdirSync(join(project.dir, 'metrics')), ['alertcron.prom']);
  return { text, families };
}

test('each run writes its findings, notices, deliveries and exit code; a failed delivery is pending until a later run sends it', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root'), logonEvent(T - MIN, 'admin'), logonEvent(T - MIN, 'root')]);
  const project = metricsProject(index);
  world.slack.behaviour = 'server-error';
  // A umask that would make the file unreadable to node_exporter's user: the file is 0644 all the same.
  const umask = process.umask(0o077);
  let first;
  try {
    first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  } finally {
    process.umask(umask);
  }
  assert.equal(first.code, 4, first.stderr);
  assert.equal(statSync(join(project.dir, 'metrics', 'alertcron.prom')).mode & 0o777, 0o644, 'readable by the prometheus user');
  let { families } = await readMetrics(project, t);
  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
  assert.equal(value('alertcron_run_exit_code'), 4);
  assert.equal(value('alertcron_run_start_timestamp_seconds'), T / 1000);
  assert.equal(value('alertcron_last_success_timestamp_seconds'), undefined, 'never succeeded yet');
  assert.equal(value('alertcron_run_findings', { alert: 'admins' }), 2);
  assert.equal(value('alertcron_run_alerts', { outcome: 'ok' }), 1);
  assert.equal(value('alertcron_run_alerts', { outcome: 'failed' }), 0);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-email', result: 'sent' }), 2);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-slack', result: 'failed' }), 2);
  assert.equal(value('alertcron_run_deliveries', { result: 'sent' }), 2);
  assert.equal(value('alertcron_run_deliveries', { result: 'failed' }), 2);
  assert.equal(value('alertcron_deliveries_pending'), 2);
  assert.equal(value('alertcron_deliveries_oldest_pending_age_seconds'), 0);
  assert.equal(value('alertcron_source_up', { source: 'elasticsearch' }), 1);
  assert.equal(value('alertcron_source_requests', { source: 'elasticsearch' }), 1);
  assert.ok(value('alertcron_source_fetch_duration_seconds', { source: 'elasticsearch' })! > 0, 'the fetch from the cluster took some time');
  assert.ok(value('alertcron_run_duration_seconds')! > 0);
  assert.ok(value('alertcron_state_size_bytes')! > 100, 'the state file and its key file');
  assert.equal(value('alertcron_run_chat_actions'), undefined, 'no chat channel: no sample');

  // Five minutes on, Slack still fails: the pending notices are older now.
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(second.code, 4, second.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(value('alertcron_run_findings', { alert: 'admins' }), 0);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-slack', result: 'failed' }), 2);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-email', result: 'sent' }), undefined);
  assert.equal(value('alertcron_deliveries_oldest_pending_age_seconds'), 300);

  world.slack.behaviour = 'ok';
  const third = await project.run(['run'], { ALERTCRON_NOW: iso(T + 6 * MIN) });
  assert.equal(third.code, 0, third.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(value('alertcron_run_exit_code'), 0);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-slack', result: 'sent' }), 2);
  assert.equal(value('alertcron_deliveries_pending'), 0);
  assert.equal(value('alertcron_deliveries_oldest_pending_age_seconds'), 0);
  assert.equal(value('alertcron_last_success_timestamp_seconds'), (T + 6 * MIN) / 1000);
});

test('chat actions applied in a run (a refused press not counted), a notice muted by a silence set meanwhile, and an alert not due: each in its family with real values', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-chat');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root'), logonEvent(T - MIN, 'admin')]);
  const group = { id: -1_009_100_000 - Math.floor(Math.random() * 1000), type: 'supergroup' as const, title: 'SOC' };
  const alice = { id: 101, first_name: 'Alice', username: 'alice' };
  const eve = { id: 666, first_name: 'Eve', username: 'eve' };
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: servers.telegram.base, timeout: '3s', bot: true, allowed_users: [alice.id] };
  project.writeConfig({ ...config, monitoring: { metrics_file: 'metrics/alertcron.prom' } });
  Object.assign(project.env, servers.secrets);
  mkdirSync(join(project.dir, 'metrics'));
  const alert = { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1h', samples: 0 };
  project.writeAlert('admins', { ...alert, notify: ['team-bot', 'soc-slack'], title: 'Admin {{key}}' });
  project.writeAlert('hourly', { ...alert, every: '1h', notify: ['soc-email'], title: 'Hourly {{key}}' });
  servers.telegram.clearQueue();

  // Run 1: both alerts run; Slack fails, so the notices of root and admin wait for it.
  world.slack.behaviour = 'server-error';
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  let { families } = await readMetrics(project, t);
  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
  assert.deepEqual([value('alertcron_run_alerts', { outcome: 'ok' }), value('alertcron_run_alerts', { outcome: 'not_due' })], [2, 0]);
  assert.equal(value('alertcron_run_chat_actions', { channel: 'team-bot', result: 'ok' }), undefined, 'no chat action yet');

  // Between the runs: root is silenced from the shell; in the chat Alice presses Ack on root's notice, Eve (not allowed) too.
  const silenced = await project.run(['silence', 'add', 'admins', '--key', 'root', '--for', '1h', '--comment', 'maintenance', '--author', 'dan'], { ALERTCRON_NOW: iso(T + 10_000) });
  assert.equal(silenced.code, 0, silenced.stderr);
  const notice = servers.telegram.inChat(group.id).find((m) => /Admin root/.test(m.text));
  assert.ok(notice, 'root was told in the chat');
  const ack = notice.reply_markup!.inline_keyboard[0]!.find((b) => b.text === 'Ack')!.callback_data;
  servers.telegram.press(alice, notice, ack);
  servers.telegram.press(eve, notice, ack);

  // Run 2, a minute on: Slack is back; hourly is not due; root's waiting notice is muted, admin's sent; the presses applied.
  world.slack.behaviour = 'ok';
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  ({ families } = await readMetrics(project, t));
  assert.deepEqual([value('alertcron_run_alerts', { outcome: 'ok' }), value('alertcron_run_alerts', { outcome: 'not_due' }), value('alertcron_run_alerts', { outcome: 'failed' })], [1, 1, 0]);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-slack', result: 'muted' }), 1, "root's notice, silenced before it could be sent");
  // Alice's Ack is on root's notice too (an ack alone would mute it): the audit line says the silence did.
  const muted = project.audit().filter((e) => e.event === 'muted' && e.channel === 'soc-slack');
  assert.deepEqual(muted.map((e) => e.key), ['root']);
  assert.match(muted[0].why, /^silenced by \S+ \(dan: maintenance\)$/);
  assert.equal(value('alertcron_run_notices', { alert: 'admins', channel: 'soc-slack', result: 'sent' }), 1, "admin's");
  assert.deepEqual([value('alertcron_run_deliveries', { result: 'sent' }), value('alertcron_run_deliveries', { result: 'failed' }), value('alertcron_run_deliveries', { result: 'muted' })], [1, 0, 1]);
  assert.equal(value('alertcron_run_chat_actions', { channel: 'team-bot', result: 'ok' }), 1, "Alice's ack");
  assert.equal(value('alertcron_run_chat_actions', { channel: 'team-bot', result: 'failed' }), undefined, "Eve's press was refused, not applied: not counted (status lists it)");
  assert.ok(JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + MIN) })).stdout).chat_actions.some((e: { by: string; ok: boolean }) => /eve/.test(e.by) && !e.ok));
  assert.deepEqual(project.state().chatLog.filter((e: { ok: boolean }) => e.ok).map((e: { by: string; what: string }) => [e.by, e.what]), [['@alice (telegram 101)', 'ack admins root']]);

  // Run 3: nothing taken in chat: the family has no sample again.
  const third = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(third.code, 0, third.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(value('alertcron_run_chat_actions', { channel: 'team-bot', result: 'ok' }), undefined);
});

test('a run failing at its source writes exit code 3 and source_up 0; a run finding the lock held writes 5 and keeps the last success', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-down');
  const project = metricsProject(index);
  const ok = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(ok.code, 0, ok.stderr);

  const down = defaultConfig({ esUrl: 'http://127.0.0.1:9', smtpPort: world.smtp.port, slackUrl: world.slack.url });
  project.writeConfig({ ...down, elasticsearch: { url: 'http://127.0.0.1:9', timeout: '3s' }, monitoring: { metrics_file: 'metrics/alertcron.prom' } });
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(failed.code, 3, failed.stderr);
  let { families } = await readMetrics(project, t);
  assert.equal(sampleValue(families, 'alertcron_run_exit_code'), 3);
  assert.equal(sampleValue(families, 'alertcron_source_up', { source: 'elasticsearch' }), 0);
  assert.equal(sampleValue(families, 'alertcron_source_consecutive_failures', { source: 'elasticsearch' }), 1);
  assert.equal(sampleValue(families, 'alertcron_run_alerts', { outcome: 'failed' }), 1);
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000);

  // Another run holds the state's lock (its lock folder is fresh): this one gives up after lock_wait with exit code 5.
  project.writeConfig({ ...down, elasticsearch: { url: 'http://127.0.0.1:9', timeout: '3s' }, state: { lock_wait: '1s' }, monitoring: { metrics_file: 'metrics/alertcron.prom' } });
  mkdirSync(join(project.dir, 'state', 'state.json.lock'));
  const held = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  rmSync(join(project.dir, 'state', 'state.json.lock'), { recursive: true, force: true });
  assert.equal(held.code, 5, held.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(sampleValue(families, 'alertcron_run_exit_code'), 5);
  assert.equal(sampleValue(families, 'alertcron_run_start_timestamp_seconds'), (T + 2 * MIN) / 1000);
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000, 'read from the state without the lock');
  assert.equal(sampleValue(families, 'alertcron_source_up', { source: 'elasticsearch' }), 0, 'as the last run that read the state left it');
  assert.equal(sampleValue(families, 'alertcron_run_findings', { alert: 'admins' }), undefined, 'nothing was run');
});

test('an invalid alert file makes exit code 2 and is counted; dry runs, --only, test and an alertcron.yaml that does not load leave the metrics alone', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-dry');
  const project = metricsProject(index);
  const file = join(project.dir, 'metrics', 'alertcron.prom');
  const real = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(real.code, 0, real.stderr);
  // A broken alert is skipped, the others run: exit code 2, written after the run like any other.
  project.writeAlert('broken', { index, condition: { type: 'any' }, notify: ['soc-email'], thresholdd: 3 });
  const invalid = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(invalid.code, 2, invalid.stderr);
  const { families } = await readMetrics(project, t);
  assert.equal(sampleValue(families, 'alertcron_run_exit_code'), 2);
  assert.equal(sampleValue(families, 'alertcron_run_problems'), 1);
  assert.equal(sampleValue(families, 'alertcron_run_alerts', { outcome: 'ok' }), 1);
  rmSync(join(project.dir, 'alerts', 'broken.yaml'));
  const written = readFileSync(file, 'utf8');
  for (const args of [['run', '--dry-run'], ['run', '--only', 'admins'], ['test', 'admins']]) {
    const other = await project.run(args, { ALERTCRON_NOW: iso(T + 2 * MIN) });
    assert.equal(other.code, 0, `${args.join(' ')}: ${other.stderr}`);
    assert.equal(readFileSync(file, 'utf8'), written, `${args.join(' ')} did not rewrite the metrics`);
  }
  // alertcron.yaml itself does not load: the metrics file it would name is unknown, the last one stays.
  writeFileSync(join(project.dir, 'alertcron.yaml'), readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8') + 'unknown_section: 1\n');
  const broken = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(broken.code, 2, broken.stderr);
  assert.equal(readFileSync(file, 'utf8'), written);
});

test('the metrics file is only ever replaced by a rename of a synced temporary file whose name does not end in .prom', { skip: !hasStrace && 'strace is not installed' }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-strace');
  const project = metricsProject(index);
  for (const at of [T, T + MIN]) {
    const log = join(project.dir, 'strace.txt');
    const child = spawn('strace', ['-f', '-qq', '-o', log, '-e', 'trace=openat,fsync,rename,renameat,renameat2,close', process.execPath, BIN, 'run'], {
      cwd: project.dir,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ALERTCRON_NOW: iso(at) },
      stdio: 'ignore',
    });
    assert.equal(await new Promise((resolve) => child.on('close', resolve)), 0);
    const calls = readFileSync(log, 'utf8').split('\n');
    rmSync(log);
    const target = join(project.dir, 'metrics', 'alertcron.prom');
    const opened = calls.filter((line) => line.includes(`"${target}`) && /openat\(/.test(line) && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(line));
    assert.ok(opened.length === 1, `one file opened for writing: ${opened.join('\n')}`);
    const temporary = /"([^"]+)"/.exec(opened[0]!)![1]!;
    assert.ok(temporary.startsWith(`${target}.`) && !temporary.endsWith('.prom'), `the temporary file ${temporary} is beside it and ignored by node_exporter (*.prom only)`);
    const fd = /= (\d+)$/.exec(opened[0]!.trim())![1];
    const pid = opened[0]!.split(' ')[0];
    const after = calls.slice(calls.indexOf(opened[0]!));
    const synced = after.findIndex((line) => line.startsWith(`${pid} `) && line.includes(`fsync(${fd})`));
    const renamed = after.findIndex((line) => /rename/.test(line) && line.includes(`"${temporary}"`) && line.includes(`"${target}"`));
    assert.ok(synced > 0 && renamed > synced, 'synced, then renamed over the metrics file');
  }
});

test('a run without metrics_file never loads the metrics writer (its bundle chunk); a run with it does', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-quiet');
  const cached = (project: Project) => readdirSync(join(project.dir, '.cache', 'alertcron', 'code')).filter((name) => name.startsWith('run-'));
  const quiet = world.project();
  quiet.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-email'] });
  const plain = await quiet.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(cached(quiet).some((name) => name.startsWith('run-cli-')), `the code cache is kept: ${cached(quiet)}`);
  assert.deepEqual(cached(quiet).filter((name) => name.startsWith('run-metrics-')), []);
  const measured = metricsProject(index);
  const run = await measured.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(cached(measured).filter((name) => name.startsWith('run-metrics-')).length, 1);
});

test('a metrics file that cannot be written is one warning line; the run and its exit code are not affected', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-nowhere');
  const project = metricsProject(index, { monitoring: { metrics_file: 'missing/alertcron.prom' } });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0);
  assert.match(result.stderr, /^warning: monitoring\.metrics_file \/.*\/missing\/alertcron\.prom could not be written \(ENOENT: .*\): create its folder, or let the user alertcron runs as write there \(the run itself is not affected\)\n$/);
  assert.equal(project.state().lastRun.exitCode, 0);
  // A run that fails (the lock held: exit code 5) still says its metrics file cannot be written, before its error.
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), state: { lock_wait: '1s' }, monitoring: { metrics_file: 'missing/alertcron.prom' } });
  mkdirSync(join(project.dir, 'state', 'state.json.lock'));
  const held = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  rmSync(join(project.dir, 'state', 'state.json.lock'), { recursive: true, force: true });
  assert.equal(held.code, 5, held.stderr);
  assert.match(held.stderr, /^warning: monitoring\.metrics_file \/.*\/missing\/alertcron\.prom could not be written \(ENOENT: .*\): create its folder, or let the user alertcron runs as write there \(the run itself is not affected\)\n(?!warning)\S/);
});

test('with the cluster backend: the state index requests, writes and documents of the run, and no file size', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-cluster');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const stateIndex = `alertcron-state-metrics-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(stateIndex);
  const project = metricsProject(index, { state: { backend: 'cluster', index: stateIndex, host_id: 'metrics-a', lock_wait: '15s' } });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const { families } = await readMetrics(project, t);
  assert.equal(sampleValue(families, 'alertcron_run_exit_code'), 0);
  assert.equal(sampleValue(families, 'alertcron_run_findings', { alert: 'admins' }), 1);
  assert.ok(sampleValue(families, 'alertcron_run_state_requests')! > 0);
  assert.ok(sampleValue(families, 'alertcron_run_state_writes')! > 0);
  assert.ok(sampleValue(families, 'alertcron_run_state_documents')! > 0);
  assert.equal(sampleValue(families, 'alertcron_state_size_bytes'), undefined, 'the file backend only');
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000);
});

test('with the cluster backend, a run finding the lock held and a run that cannot reach the state cluster keep the last success and the last state numbers', async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-metrics-cluster-down');
  const stateIndex = `alertcron-state-metrics-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(stateIndex);
  const state = { backend: 'cluster', index: stateIndex, host_id: 'metrics-b', lock_wait: '1s' };
  const project = metricsProject(index, { state });
  const ok = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(ok.code, 0, ok.stderr);
  let { families } = await readMetrics(project, t);
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000);

  // A hung run of this host holds its local lock: this one gives up after lock_wait with exit code 5.
  const lock = join(project.dir, 'state', 'local.json.lock');
  mkdirSync(lock);
  const held = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  rmSync(lock, { recursive: true, force: true });
  assert.equal(held.code, 5, held.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(sampleValue(families, 'alertcron_run_exit_code'), 5);
  assert.equal(sampleValue(families, 'alertcron_run_start_timestamp_seconds'), (T + MIN) / 1000);
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000, 'the last success is still there');
  assert.equal(sampleValue(families, 'alertcron_deliveries_pending'), 0);
  assert.equal(sampleValue(families, 'alertcron_source_up', { source: 'elasticsearch' }), 1);

  // The state cluster (here also the source) cannot be reached: exit code 3, and the last success stays what it was.
  const down = defaultConfig({ esUrl: 'http://127.0.0.1:9', smtpPort: world.smtp.port, slackUrl: world.slack.url });
  project.writeConfig({ ...down, elasticsearch: { url: 'http://127.0.0.1:9', timeout: '3s' }, state, monitoring: { metrics_file: 'metrics/alertcron.prom' } });
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(failed.code, 3, failed.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(sampleValue(families, 'alertcron_run_exit_code'), 3);
  assert.equal(sampleValue(families, 'alertcron_run_start_timestamp_seconds'), (T + 2 * MIN) / 1000);
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000, 'the last success is still there, unchanged');
  // A second failing run in a row: still there (carried from the file the first one wrote).
  const again = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(again.code, 3, again.stderr);
  ({ families } = await readMetrics(project, t));
  assert.equal(sampleValue(families, 'alertcron_last_success_timestamp_seconds'), T / 1000);
});
