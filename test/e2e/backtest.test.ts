import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const world = useWorld();

/** A time at midnight UTC, so that hours and histogram bars fall on known boundaries. */
function midnight(): number {
  return Math.floor(uniqueBaseTime() / DAY) * DAY;
}

test('backtest: a 1-minute alert replayed over 3 days counts its first, repeat and resolved notices as runs would have sent them, and sends nothing', async () => {
  const T = midnight();
  const S = T - 3 * DAY; // the first replayed run's window starts here
  const index = await world.index('auth-backtest');
  const docs = [
    // alice, day 0: three logons within the 1h throttle, then quiet: first at 10:01, resolved 30m after last seen (11:21).
    logonEvent(S + 10 * HOUR + 30 * SEC, 'alice'),
    logonEvent(S + 10 * HOUR + 20 * MIN + 30 * SEC, 'alice'),
    logonEvent(S + 10 * HOUR + 50 * MIN + 30 * SEC, 'alice'),
    // alice, day 1: back after resolving: first again (the throttle ran out long ago), resolved at 10:31.
    logonEvent(S + DAY + 10 * HOUR + 30 * SEC, 'alice'),
    // bob, day 2: every 5 minutes from 14:00 to 16:55: first 14:01, repeats 15:01 and 16:01, resolved 17:26.
    ...Array.from({ length: 36 }, (_, k) => logonEvent(S + 2 * DAY + 14 * HOUR + k * 5 * MIN + 30 * SEC, 'bob')),
    // carol, day 2: once at 14:10: first 14:11, resolved 14:41 (with bob's first, three notices in the 14:00 hour).
    logonEvent(S + 2 * DAY + 14 * HOUR + 10 * MIN + 30 * SEC, 'carol'),
    // dave: an hour before the span, and one after its end: neither is replayed.
    logonEvent(S - HOUR, 'dave'),
    logonEvent(T + 10 * SEC, 'dave'),
  ];
  await indexDocs(world.esUrl, index, docs);
  const project = world.project();
  project.writeAlert('logons', {
    index,
    condition: { type: 'count', gte: 1 },
    group_by: 'winlog.event_data.TargetUserName',
    every: '1m',
    throttle: '1h',
    resolve_after: '30m',
    notify: ['soc-email', 'soc-slack'],
    title: 'Logon by {{key}}',
  });
  const json = await project.run(['test', 'logons', '--backtest', '3d', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout);
  assert.equal(summary.steps, 3 * 24 * 60);
  // One date histogram finds the 40 minutes with events (alice 4, bob 36, carol in one of bob's): one _msearch of 40.
  assert.equal(summary.requests, 2);
  assert.equal(summary.from, iso(S));
  assert.equal(summary.to, iso(T));
  assert.equal(summary.notices, 10);
  assert.deepEqual(summary.byReason, { first: 4, resolved: 4, repeat: 2 });
  assert.deepEqual(summary.byKey.map((k: { key: string; notices: number }) => [k.key, k.notices]), [['alice', 4], ['bob', 4], ['carol', 2]]);
  const bob = summary.byKey.find((k: { key: string }) => k.key === 'bob');
  assert.equal(bob.first, iso(S + 2 * DAY + 14 * HOUR + MIN));
  assert.equal(bob.last, iso(S + 2 * DAY + 17 * HOUR + 26 * MIN));
  assert.deepEqual(summary.busiestHours[0], { hour: iso(S + 2 * DAY + 14 * HOUR), notices: 3 });
  assert.equal(summary.busiestHours.length, 5);
  // 3 days fit in 24 bars of 3 hours: alice's two on day 0 and day 1 (09:00-12:00), then on day 2 bob's first with
  // carol's two (12:00-15:00) and bob's repeats with his resolved notice (15:00-18:00).
  const bars = Object.fromEntries(summary.histogram.filter((b: { notices: number }) => b.notices).map((b: { from: string; notices: number }) => [b.from, b.notices]));
  assert.deepEqual(bars, { [iso(S + 9 * HOUR)]: 2, [iso(S + DAY + 9 * HOUR)]: 2, [iso(S + 2 * DAY + 12 * HOUR)]: 3, [iso(S + 2 * DAY + 15 * HOUR)]: 3 });
  assert.equal(summary.histogram.length, 24);
  // Every notice in order, and every finding before the 1h throttle: alice 4 runs, bob 36, carol 1.
  assert.deepEqual(summary.sent.slice(0, 3), [
    { at: iso(S + 10 * HOUR + MIN), key: 'alice', reason: 'first' },
    { at: iso(S + 11 * HOUR + 21 * MIN), key: 'alice', reason: 'resolved' },
    { at: iso(S + DAY + 10 * HOUR + MIN), key: 'alice', reason: 'first' },
  ]);
  assert.equal(summary.sent.length, 10);
  assert.equal(summary.findings.length, 41);
  assert.deepEqual(summary.findings.filter((f: { key: string }) => f.key === 'alice').map((f: { at: string }) => f.at), [
    iso(S + 10 * HOUR + MIN), iso(S + 10 * HOUR + 21 * MIN), iso(S + 10 * HOUR + 51 * MIN), iso(S + DAY + 10 * HOUR + MIN),
  ]);

  // 10 searches per request: the same counts, in 1 + 4 requests.
  const chunked = await project.run(['test', 'logons', '--backtest', '3d', '--json', '--chunk', '10'], { ALERTCRON_NOW: iso(T) });
  assert.equal(chunked.code, 0, chunked.stderr);
  assert.deepEqual({ ...JSON.parse(chunked.stdout), requests: 0 }, { ...summary, requests: 0 });
  assert.equal(JSON.parse(chunked.stdout).requests, 5);

  // The same for people: totals, keys, hours and bars; and nothing sent, no state written.
  const text = await project.run(['test', 'logons', '--backtest', '3d'], { ALERTCRON_NOW: iso(T) });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^backtest of logons: 4320 runs \(every 1m\) from .* 2 request\(s\) to the cluster$/m);
  assert.match(text.stdout, /^10 notice\(s\) would have been sent \(4 first, 4 resolved, 2 repeat\), to 3 key\(s\)$/m);
  assert.match(text.stdout, /^ {7}4 {2}"alice" {2}\(first /m);
  assert.match(text.stdout, new RegExp(`^  ${iso(S + 2 * DAY + 14 * HOUR).slice(0, 13)}:00  3$`, 'm'));
  assert.match(text.stdout, new RegExp(`^  ${iso(S + 2 * DAY + 12 * HOUR).slice(0, 16).replace('T', ' ')}  #{40} 3$`, 'm'));
  assert.match(text.stdout, new RegExp(`^  ${iso(S + 9 * HOUR).slice(0, 16).replace('T', ' ')}  #{27} 2$`, 'm'));
  assert.equal(world.smtp.messages.length, 0);
  assert.equal(world.slack.requests.length, 0);
  assert.equal(existsSync(join(project.dir, 'state', 'state.json')), false);
});

test('backtest: a lookback alert replays its trailing window each step; throttle "once" counts one notice', async () => {
  const T = midnight();
  const S = T - 2 * DAY;
  const index = await world.index('auth-backtest-lookback');
  // Failures of one user: 3 at 01:00-01:02 (a burst of 3 within 10m), 2 at 05:00 (never 3 within 10m), 4 on day 1 at 09:00.
  const failures = [
    ...[0, 1, 2].map((m) => S + HOUR + m * MIN + 30 * SEC),
    ...[0, 1].map((m) => S + 5 * HOUR + m * MIN + 30 * SEC),
    ...[0, 1, 2, 3].map((m) => S + DAY + 9 * HOUR + m * MIN + 30 * SEC),
  ];
  await indexDocs(world.esUrl, index, failures.map((at) => logonEvent(at, 'eve', { code: '4625' })));
  const project = world.project();
  project.writeAlert('bursts', {
    index,
    condition: { type: 'count', gte: 3 },
    group_by: 'winlog.event_data.TargetUserName',
    every: '5m',
    lookback: '10m',
    throttle: '2h',
    notify: ['soc-email'],
  });
  project.writeAlert('once', {
    index,
    condition: { type: 'any' },
    every: '1h',
    throttle: 'once',
    notify: ['soc-email'],
  });
  // bursts: the run at 01:05 sees all three (window 00:55-01:05) -> first; the run at 01:10 (01:00-01:10) too -> throttled.
  // 05:00-05:01 is two: no finding. Day 1, the 09:05 run sees all four: the 2h throttle ran out long ago and,
  // without resolve_after, the key never resolved: a repeat; 09:10 is throttled. So 2 notices: first and repeat.
  const bursts = await project.run(['test', 'bursts', '--backtest', '2d', '--json', '--chunk', '100'], { ALERTCRON_NOW: iso(T) });
  assert.equal(bursts.code, 0, bursts.stderr);
  const b = JSON.parse(bursts.stdout);
  assert.equal(b.steps, 2 * 24 * 12);
  // The histogram, then the 6 runs whose 10-minute lookback holds events (2 per burst).
  assert.equal(b.requests, 2);
  assert.deepEqual(b.byReason, { first: 1, repeat: 1 });
  assert.deepEqual(b.byKey.map((k: { key: string; first: string; last: string }) => [k.key, k.first, k.last]), [['eve', iso(S + HOUR + 5 * MIN), iso(S + DAY + 9 * HOUR + 5 * MIN)]]);
  // once: one notice, at the first hourly run that sees an event (02:00, window 01:00-02:00), then never again.
  const once = await project.run(['test', 'once', '--backtest', '2d', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(once.code, 0, once.stderr);
  const o = JSON.parse(once.stdout);
  assert.equal(o.steps, 48);
  assert.equal(o.requests, 2);
  assert.deepEqual(o.byKey, [{ key: '_all', notices: 1, first: iso(S + 2 * HOUR), last: iso(S + 2 * HOUR) }]);
});

test('backtest: usage errors name the fix; an unknown alert names the alerts there are', async () => {
  const project = world.project();
  project.writeAlert('quiet', { index: 'nothing-here', condition: { type: 'any' }, notify: ['soc-email'] });
  const mixed = await project.run(['test', 'quiet', '--backtest', '1d', '--from', '1h']);
  assert.equal(mixed.code, 64);
  assert.match(mixed.stderr, /--backtest replays its own span and sends nothing: leave out --from, --to and --send/);
  const bad = await project.run(['test', 'quiet', '--backtest', 'a week']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /--backtest a week: "a week" is not a duration: write it as 30s, 5m, 1h30m, 7d/);
  const unknown = await project.run(['test', 'loud', '--backtest', '1d']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no alert named loud could be loaded \(alerts: quiet\)/);
  const empty = await project.run(['test', 'quiet', '--backtest', '1h']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /^0 notice\(s\) would have been sent, to 0 key\(s\)$/m);
});

test('backtest: rule state is carried from step to step: a change rule sees a value change between two hourly runs', async () => {
  const T = midnight();
  const S = T - DAY;
  const index = await world.index('auth-backtest-change');
  // alice logs on to web01 at 10:30, web02 at 12:30, web01 again at 14:30: each in its own hourly window, so only the
  // value remembered from an earlier step shows the change (at the 13:00 and 15:00 runs). bob stays on web03.
  await indexDocs(world.esUrl, index, [
    logonEvent(S + 10 * HOUR + 30 * MIN, 'alice', { host: 'web01' }),
    logonEvent(S + 12 * HOUR + 30 * MIN, 'alice', { host: 'web02' }),
    logonEvent(S + 14 * HOUR + 30 * MIN, 'alice', { host: 'web01' }),
    logonEvent(S + 11 * HOUR + 30 * MIN, 'bob', { host: 'web03' }),
    logonEvent(S + 16 * HOUR + 30 * MIN, 'bob', { host: 'web03' }),
  ]);
  const project = world.project();
  project.writeAlert('host-change', {
    index,
    condition: { type: 'change', compare_key: 'host.name' },
    group_by: 'winlog.event_data.TargetUserName',
    every: '1h',
    throttle: '0s',
    notify: ['soc-slack'],
  });
  const result = await project.run(['test', 'host-change', '--backtest', '1d', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.steps, 24);
  assert.equal(summary.requests, 1, 'change keeps state from step to step: every step is searched, 24 in one _msearch');
  assert.deepEqual(summary.byReason, { first: 1, repeat: 1 });
  assert.deepEqual(summary.byKey, [{ key: 'alice', notices: 2, first: iso(S + 13 * HOUR), last: iso(S + 15 * HOUR) }]);
  assert.equal(world.slack.requests.length, 0);
});
