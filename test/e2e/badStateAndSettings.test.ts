// Bad state and settings are errors, not crashes: a state file of the wrong shape is moved aside, unusable paths
// and zero durations are configuration errors at their key, old silences are pruned, the audit log is rotated.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const world = useWorld();

const quietAlert = (index: string) => ({ index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'] });

test('a state file of the wrong shape is moved aside like a corrupt one, and the run goes on', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('bad-state');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const shapes: [string, RegExp][] = [
    ['[]', /it holds an array, not an object/],
    ['"state"', /it holds a string, not an object/],
    ['{"version":1,"alerts":[]}', /"alerts" is not an object/],
    ['{"version":1,"alerts":{"x":{"keys":[1]}}}', /"alerts\.x\.keys" is not an object/],
    ['{"version":1,"alerts":{},"pending":{}}', /"pending" is not a list/],
    ['{"version":1,"alerts":{},"silences":[null]}', /"silences" has an item that is not an object/],
  ];
  for (const [text, reason] of shapes) {
    const project = world.project();
    project.writeAlert('logons', quietAlert(index));
    mkdirSync(join(project.dir, 'state'));
    writeFileSync(join(project.dir, 'state', 'state.json'), text);
    const peek = await project.run(['run', '--dry-run'], { ALERTCRON_NOW: iso(T) });
    assert.match(peek.stderr, new RegExp(`^warning: state file .*state\\.json is not alertcron's state \\(${reason.source}\\); a run will move it aside$`, 'm'), text);
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, `${text}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^warning: state file .*state\\.json was unreadable \\(is not alertcron's state: ${reason.source}\\); moved it to .*state\\.json\\.corrupt-\\d+ and started afresh$`, 'm'), text);
    const aside = readdirSync(join(project.dir, 'state')).filter((f) => f.startsWith('state.json.corrupt-'));
    assert.equal(aside.length, 1, text);
    assert.equal(readFileSync(join(project.dir, 'state', aside[0]!), 'utf8'), text, 'the original is kept as it was');
    assert.ok(project.state().alerts.logons.keys.root, `${text}: the new state has the run's key`);
    assert.equal(world.slack.accepted().length, 1, `${text}: the alert was delivered`);
    world.slack.requests.length = 0;
  }
});

test('an audit log that is a directory and a state folder that cannot be created are configuration errors at their key', async () => {
  const project = world.project();
  project.writeAlert('logons', quietAlert('nothing'));
  mkdirSync(join(project.dir, 'logs'));
  writeFileSync(join(project.dir, 'blocker'), 'a file, not a folder\n');
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl }), state: { file: 'blocker/state.json', audit_log: 'logs', lock_wait: '1s' } });
  const lines = readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8').split('\n');
  const lineOf = (key: string) => lines.findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
  const expected = [
    `alertcron.yaml:${lineOf('file')}:9 /state/file: cannot create the folder ${join(project.dir, 'blocker')}: ${join(project.dir, 'blocker')} is not a folder`,
    `alertcron.yaml:${lineOf('audit_log')}:14 /state/audit_log: ${join(project.dir, 'logs')} is a directory: give the path of a file in it, e.g. state/audit.log`,
  ];
  for (const args of [['validate'], ['run'], ['status']]) {
    const result = await project.run(args);
    assert.equal(result.code, 2, `${args[0]}: ${result.stderr}`);
    const lines = result.stderr.trim().split('\n');
    // validate goes on to check the alerts, then ends with its summary line.
    if (args[0] === 'validate') assert.match(lines.pop()!, /^2 problem\(s\) in 1 file\(s\); 1 alert\(s\) valid/);
    assert.deepEqual(lines, expected, args[0]);
  }
});

test('zero durations are configuration errors where zero makes no sense, and allowed where it does', async () => {
  const project = world.project();
  project.writeConfig({
    ...defaultConfig({ esUrl: world.esUrl }),
    defaults: { every: '1m', throttle: '0s', ingest_delay: '0s', max_catchup: '0s' },
    delivery: { deadline: '0s', attempt_timeout: '0ms' },
    state: { prune_after: '0h0m', lock_wait: '0s' },
  });
  project.writeAlert('lookback', 'index: x\ncondition: { type: count, lt: 1 }\nnotify: [soc-slack]\nlookback: 0s\nevery: 0m\nfirst_lookback: 00s\n');
  const result = await project.run(['validate']);
  assert.equal(result.code, 2, result.stderr);
  const zero = 'must be a duration greater than zero, such as 30s, 5m, 1h30m, 7d';
  // validate checks the alerts too when alertcron.yaml has problems, and ends with its summary line.
  const problems = result.stderr.trim().split('\n').slice(0, -1);
  assert.deepEqual(problems.map((line) => line.replace(/^(\S+?):\d+:\d+ /, '$1 ')).sort(), [
    `alertcron.yaml /defaults/max_catchup: ${zero}`,
    `alertcron.yaml /delivery/attempt_timeout: ${zero}`,
    `alertcron.yaml /delivery/deadline: ${zero}`,
    `alertcron.yaml /state/prune_after: ${zero}`,
    `alerts/lookback.yaml /every: ${zero}`,
    `alerts/lookback.yaml /first_lookback: ${zero}`,
    `alerts/lookback.yaml /lookback: ${zero}`,
  ]);
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl }), defaults: { throttle: '0s', ingest_delay: '0s' }, state: { lock_wait: '0s' } });
  const alert = await project.run(['validate']);
  assert.equal(alert.code, 2, alert.stderr);
  assert.deepEqual(alert.stderr.trim().split('\n').slice(0, -1), [
    `alerts/lookback.yaml:5:8 /every: ${zero}`,
    `alerts/lookback.yaml:6:17 /first_lookback: ${zero}`,
    `alerts/lookback.yaml:4:11 /lookback: ${zero}`,
  ]);
  const silence = await project.run(['silence', 'add', 'lookback', '--for', '0s', '--comment', 'x']);
  assert.equal(silence.code, 64, silence.stderr);
  assert.match(silence.stderr, /^alertcron: --for 0s: give a duration longer than zero, e.g. 30m$/m);
});

test('silences are kept for silence list --all until prune_after has passed since they ended, then pruned', async () => {
  const T = uniqueBaseTime();
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, slackUrl: world.slack.url }), state: { prune_after: '1d' } });
  project.writeAlert('logons', quietAlert('nothing-here'));
  const add = await project.run(['silence', 'add', 'logons', '--for', '1h', '--comment', 'maintenance'], { ALERTCRON_NOW: iso(T) });
  assert.equal(add.code, 0, add.stderr);
  const run = async (at: number) => assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(at) })).code, 0);
  const listed = async (at: number) => (await project.run(['silence', 'list', '--all'], { ALERTCRON_NOW: iso(at) })).stdout;
  await run(T + 2 * HOUR);
  assert.match(await listed(T + 2 * HOUR), /logons {2}all keys {2}ended .* by .*: maintenance/);
  await run(T + HOUR + 24 * HOUR);
  assert.equal(project.state().silences.length, 1, 'kept until a day after it ended');
  await run(T + HOUR + 24 * HOUR + MIN);
  assert.deepEqual(project.state().silences, [], 'pruned a day after it ended');
  assert.equal(await listed(T + 26 * HOUR), 'no silences\n');
});

test('the audit log is rotated by size, keeping audit_keep old files, and no line is lost or cut', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('audit-rotation');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root'), logonEvent(T - MIN, 'alice'), logonEvent(T - MIN, 'bob')]);
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, slackUrl: world.slack.url }), state: { audit_max_size: '1KB', audit_keep: 2 } });
  project.writeAlert('logons', { ...quietAlert(index), lookback: '1h' });
  const runs = 10;
  for (let i = 0; i < runs; i++) {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + i * MIN) });
    assert.equal(result.code, 0, result.stderr);
  }
  const dir = join(project.dir, 'state');
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('audit.log')).sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
  const generations = ['audit.log.2', 'audit.log.1', 'audit.log'].map((f) => join(dir, f));
  for (const file of generations) assert.ok(statSync(file).size <= 1024, `${file} is within 1KB`);
  const entries = generations.flatMap((file) => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: string; run: string; ts: string }));
  const times = entries.map((e) => e.ts);
  assert.deepEqual(times, [...times].sort(), 'oldest file first, lines in order');
  assert.ok(entries.every((e) => e.event === 'decision' || e.event === 'delivered'));
  assert.equal(new Set(entries.map((e) => e.run)).size < runs, true, 'the oldest runs\' lines went with the oldest file');
  assert.ok(!existsSync(join(dir, 'audit.log.3')));
});
