import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const world = useWorld();

/** A project with one `logons` alert over `index`, keyed by user, throttle 1m doubling up to `cap`, to email. */
function logonsProject(index: string, cap: string, extra: Record<string, unknown> = {}) {
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', exponential_throttle: cap, notify: ['soc-email'], title: 'Logon by {{key}}', ...extra });
  return project;
}

test('exponential_throttle: a key firing every minute is told at 0, +1x, +2x, +4x ... up to the cap; back after a quiet hour, it starts from the base throttle (backtest)', async () => {
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const S = T - DAY;
  const index = await world.index('auth-expthrottle');
  const start = S + 10 * HOUR;
  // alice logs on every minute for 40 minutes, is quiet for an hour, then every minute for 3 minutes.
  const minutes = [...Array.from({ length: 40 }, (_, k) => k), 100, 101, 102];
  await indexDocs(world.esUrl, index, minutes.map((k) => logonEvent(start + k * MIN + 30 * SEC, 'alice')));
  const project = logonsProject(index, '10m');
  const json = await project.run(['test', 'logons', '--backtest', '1d', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout);
  // The run at minute k+1 finds the event of minute k. Waits 1m, 2m, 4m, 8m, then the 10m cap; after the quiet
  // hour the wait has halved back to 1m (ElastAlert2's next_alert_time), so minutes 101 and 102 are both told.
  const t1 = start + MIN;
  const at = [0, 1, 3, 7, 15, 25, 35, 100, 101].map((m) => iso(t1 + m * MIN));
  assert.deepEqual(summary.sent.map((s: { at: string }) => s.at), at);
  assert.deepEqual(summary.sent.map((s: { reason: string }) => s.reason), ['first', ...Array(8).fill('repeat')]);
});

test('exponential_throttle: the doubled throttle survives restarts (kept in the state), status shows it, and a resolved key starts again from the base', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-expthrottle-runs');
  const project = logonsProject(index, '1h', { resolve_after: 1 });
  const told: number[] = [];
  // A logon in every minute before each run: runs at T .. T+4m tell at T, T+1m and T+3m (waits 1m, 2m, then 4m).
  for (let m = 0; m <= 4; m++) {
    await indexDocs(world.esUrl, index, [logonEvent(T + m * MIN - 30 * SEC, 'bob')]);
    const before = world.smtp.messages.length;
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + m * MIN) });
    assert.equal(run.code, 0, run.stderr);
    if (world.smtp.messages.length > before) told.push(m);
  }
  assert.deepEqual(told, [0, 1, 3]);
  const key = project.state().alerts.logons.keys.bob;
  assert.equal(key.throttle, 4 * MIN);
  assert.equal(key.exponent, 2);
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 4 * MIN) });
  assert.match(status.stdout, new RegExp(`firing "bob": notified 3 time\\(s\\), last ${iso(T + 3 * MIN).replace(/[.]/g, '\\.')}, next repeat after ${iso(T + 7 * MIN).replace(/[.]/g, '\\.')} \\(throttle 4m\\)`));
  const statusJson = JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + 4 * MIN) })).stdout);
  assert.equal(statusJson.alerts[0].firing[0].throttle, '4m');
  // A run without bob resolves him; when he is back two minutes later he is told at once, then after the base 1m.
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + 5 * MIN) })).code, 0);
  const resolved = world.smtp.messages.length;
  for (const m of [6, 7]) {
    await indexDocs(world.esUrl, index, [logonEvent(T + m * MIN - 30 * SEC, 'bob')]);
    assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + m * MIN) })).code, 0);
  }
  assert.match(world.smtp.messages[resolved - 1]!.subject, /^Resolved: /);
  assert.equal(world.smtp.messages.length - resolved, 2, 'told again at T+6m (first) and T+7m (after the base 1m)');
  assert.equal(project.state().alerts.logons.keys.bob.throttle, 2 * MIN);
});

test('exponential_throttle: a key\'s throttle and exponent out of range in the state file are held to the cap: the key is told again within the cap, and its throttle halves back to the base', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-expthrottle-bad');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30 * SEC, 'eve')]);
  const project = logonsProject(index, '2m');
  const key = { firstSeen: T - 2 * MIN, lastSeen: T - 2 * MIN, lastFired: T - 2 * MIN, fired: 1, delivered: {}, throttle: 1e300, exponent: 1e9 };
  const state = { version: 1, alerts: { logons: { window: { from: T - 3 * MIN, to: T - MIN }, lastRunAt: T - MIN, keys: { eve: key } } }, pending: [], sent: [], silences: [], sources: {}, cursors: {}, conversations: [] };
  mkdirSync(join(project.dir, 'state'));
  writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify(state));
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.doesNotMatch(run.stderr, /internal error|TypeError|RangeError/);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon by eve'], 'the 2m cap has passed since the last notice');
  const eve = project.state().alerts.logons.keys.eve;
  assert.equal(eve.throttle, 2 * MIN);
  assert.equal(eve.exponent, 1, 'held to the exponent whose wait reaches the cap');
  // Quiet for 5 minutes, then back: halved once per span, to the base 1m (not stuck at the cap for ever).
  await indexDocs(world.esUrl, index, [logonEvent(T + 7 * MIN - 30 * SEC, 'eve')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + 7 * MIN) })).code, 0);
  assert.equal(world.smtp.messages.length, 2);
  assert.equal(project.state().alerts.logons.keys.eve.throttle, MIN);
});
