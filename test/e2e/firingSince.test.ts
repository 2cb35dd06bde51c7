// When a firing key's current episode began (issue 30 point 2: "firing keys with age"), driven through
// bin/alertcron.js against the real engine: a key that fires, resolves (resolve_after) and fires again shows the
// second episode's start in `status`, `status --json` and the status page, not its first sight; a throttled run and a
// repeat notice keep it; a state written before the field was kept shows the first sight, said so; `state migrate` carries it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultConfig, editKeyFile, type Project } from '../support/project.js';
import { deleteIndices, indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, runOkAt, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
after(() => deleteIndices(world.esUrl, stateIndices));


/** The firing keys `status --json` lists for the alert. */
async function firing(project: Project, at: number): Promise<Record<string, unknown>[]> {
  return JSON.parse(await runOkAt(project, at, ['status', '--json'])).alerts.find((a: { name: string }) => a.name === 'logons').firing;
}

test('a key that fires, resolves and fires again: status, --json and the page show when the second episode began (a throttled run and a repeat notice keep it); an older state shows the first sight, said so; state migrate carries it', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-episode');
  const project = world.project();
  const stateIndex = `alertcron-state-test-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(stateIndex);
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), state: { lock_wait: '15s', index: stateIndex } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '5m', resolve_after: 1, notify: ['soc-email'], title: 'Logon {{key}}' });
  const logon = (at: number) => indexDocs(world.esUrl, index, [logonEvent(at, 'root')]);

  // Episode 1: fires at T, resolves at T+1m (absent for one run).
  await logon(T - 30_000);
  await runOkAt(project, T);
  assert.deepEqual((await firing(project, T + 1_000)).map((f) => [f.key, f.firing_since, f.firing_since_from]), [['root', iso(T), 'episode']]);
  await runOkAt(project, T + MIN);
  assert.deepEqual(await firing(project, T + MIN + 1_000), [], 'resolved: not firing');
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root', 'Resolved: Logon root']);

  // Episode 2: back at T+10m (the 5m throttle has passed): fires again; at T+12m it is seen again, throttled.
  await logon(T + 10 * MIN - 30_000);
  await runOkAt(project, T + 10 * MIN);
  await logon(T + 12 * MIN - 30_000);
  await runOkAt(project, T + 12 * MIN);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root', 'Resolved: Logon root', 'Logon root'], 'the throttled run sent nothing');
  const key = project.state().alerts.logons.keys.root;
  assert.deepEqual([key.firstSeen, key.firingSince, key.lastFired, key.lastSeen], [T, T + 10 * MIN, T + 10 * MIN, T + 12 * MIN], 'the episode began with the run that fired it again; the throttled run kept it');
  // Still matching at T+16m, its 5m throttle passed: a repeat notice inside the episode moves lastFired, not firingSince.
  await logon(T + 16 * MIN - 30_000);
  await runOkAt(project, T + 16 * MIN);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root', 'Resolved: Logon root', 'Logon root', 'Logon root'], 'the repeat was sent');
  const repeated = project.state().alerts.logons.keys.root;
  assert.deepEqual([repeated.firingSince, repeated.lastFired], [T + 10 * MIN, T + 16 * MIN], 'the repeat kept the episode start');

  const now = T + 17 * MIN;
  const [json] = await firing(project, now);
  assert.deepEqual({ first_seen: json!.first_seen, firing_since: json!.firing_since, firing_since_from: json!.firing_since_from }, { first_seen: iso(T), firing_since: iso(T + 10 * MIN), firing_since_from: 'episode' });
  assert.match(await runOkAt(project, now, ['status']), new RegExp(`firing "root": notified 3 time\\(s\\), last ${iso(T + 16 * MIN).replace(/\./g, '\\.')}.*; firing since ${iso(T + 10 * MIN).replace(/\./g, '\\.')} \\(for 7m\\)$`, 'm'));
  const page = join(project.dir, 'page.html');
  await runOkAt(project, now, ['status', '--html', page]);
  const row = readFileSync(page, 'utf8').match(/<section id="firing">[\s\S]*?<\/section>/)![0];
  assert.match(row, /<th>firing since<\/th>/);
  assert.match(row, new RegExp(`<td><code>root</code></td><td><span class="firing-since"><time datetime="${iso(T + 10 * MIN)}">[^<]*</time> <span class="muted">\\(for 7m\\)</span></span></td>`));

  // A state written before the episode start was kept: the first sight, said so; nothing fails.
  const stateFile = join(project.dir, 'state', 'state.json');
  editKeyFile(stateFile, (keys) => delete keys.logons!.root!.firingSince);
  const [older] = await firing(project, now);
  assert.deepEqual([older!.firing_since, older!.firing_since_from], [iso(T), 'first_seen']);
  assert.match(await runOkAt(project, now, ['status']), /firing "root": notified 3 time\(s\), .*; first seen [^ ]* \(for 17m; a state from an older version keeps no episode start\)/);
  await runOkAt(project, now, ['status', '--html', page]);
  assert.match(readFileSync(page, 'utf8'), /first seen: state from an older version keeps no episode start/);

  // Fired again after a resolve on this older state: the new episode's start is kept from then on.
  await runOkAt(project, T + 18 * MIN);
  await logon(T + 24 * MIN - 30_000);
  await runOkAt(project, T + 24 * MIN);
  assert.equal(project.state().alerts.logons.keys.root.firingSince, T + 24 * MIN);

  // state migrate to the cluster carries it: status on the cluster backend shows the same start.
  const migrated = await project.run(['state', 'migrate', '--to', 'cluster']);
  assert.equal(migrated.code, 0, migrated.stderr);
  const [onCluster] = await firing(project, T + 25 * MIN);
  assert.deepEqual([onCluster!.firing_since, onCluster!.firing_since_from], [iso(T + 24 * MIN), 'episode']);
});

test('a damaged episode start ("firingSince": "x") is set aside alone: the key keeps its throttle (no second notice), and status shows its first sight', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-episode-bad');
  const project = world.project();
  project.writeConfig(defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }));
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '10m', notify: ['soc-email'], title: 'Logon {{key}}' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  await runOkAt(project, T);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root']);

  const stateFile = join(project.dir, 'state', 'state.json');
  editKeyFile(stateFile, (keys) => (keys.logons!.root!.firingSince = 'x'));
  await indexDocs(world.esUrl, index, [logonEvent(T + 2 * MIN - 30_000, 'root')]);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root'], 'still throttled: no second "first" notice');
  assert.match(run.stderr, /warning: the alerts' key history has 1 part\(s\) of the wrong shape, left out \(alerts\["logons"\]\.keys\["root"\]\.firingSince: firingSince is a string, not a time in ms\); set aside in .*state\.json\.set-aside/);
  const key = project.state().alerts.logons.keys.root;
  assert.deepEqual([key.firstSeen, key.lastFired, key.fired, key.firingSince], [T, T, 1, undefined], 'the key kept its history; only the bad field is gone');

  const [shown] = await firing(project, T + 3 * MIN);
  assert.deepEqual([shown!.firing_since, shown!.firing_since_from], [iso(T), 'first_seen']);
  assert.match(await runOkAt(project, T + 3 * MIN, ['status']), /firing "root": notified 1 time\(s\), .*; first seen [^ ]* \(for 3m;/);
});
