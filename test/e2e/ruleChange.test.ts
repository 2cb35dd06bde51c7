import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { fc, checkProperty } from '../support/property.js';
import { iso, useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60_000;
const DAY = 86_400_000;
const world = useWorld();

/** A time on a minute boundary, far from every other test's. */
function minuteBase(): number {
  return Math.floor(uniqueBaseTime() / MIN) * MIN;
}

const seen = (at: number, user: string, country: string) => event(at, { 'user.name': user, 'geo.country': country });

test('change with timeframe: FR, DE 15s later, FR again 60m20s after DE does not fire with 1h; new_value_at is the changing event, never before old_value_at', async () => {
  const T0 = minuteBase();
  const tag = `chg${Math.random().toString(36).slice(2, 6)}`;
  // Two indices under one pattern (as daily indices): a key's events are split across them.
  const a = await world.index(`${tag}-a`);
  const b = await world.index(`${tag}-b`);
  await indexDocs(world.esUrl, a, [
    seen(T0 + 10 * S, 'alice', 'FR'),
    seen(T0 + 25 * S + 60 * MIN + 20 * S, 'alice', 'FR'), // back to FR 60m20s after DE: no change within 1h
    seen(T0 + 5 * S, 'bob', 'FR'),
    seen(T0 + 40 * S, 'bob', 'FR'), // FR, DE, FR in one window: the latest change is DE -> FR at 40s
  ]);
  await indexDocs(world.esUrl, b, [
    seen(T0 + 25 * S, 'alice', 'DE'), // FR -> DE 15s after FR: a change
    seen(T0 + 20 * S, 'bob', 'DE'),
  ]);
  const project = world.project();
  const alert = (timeframe?: string) => ({
    index: `${tag}-*`,
    every: '1m',
    throttle: '0s',
    condition: { type: 'change', compare_key: 'geo.country', ignore_null: true, ...(timeframe ? { timeframe } : {}) },
    group_by: 'user.name',
    notify: ['soc-email'],
    title: '{{key}}: {{old_value}} at {{old_value_at}} -> {{new_value}} at {{new_value_at}}',
  });
  project.writeAlert('travel-1h', alert('1h'));
  project.writeAlert('travel', alert());
  // Without group_by every event is one key's: bob FR 5s, alice FR 10s, bob DE 20s, alice DE 25s, bob FR 40s.
  project.writeAlert('any-country', { ...alert('1h'), group_by: undefined, title: '{{key}}: {{old_value}} at {{old_value_at}} -> {{new_value}} at {{new_value_at}}' });
  const runs = [];
  // Cron runs every minute: the first, the one after, the run before alice's return, then the one whose window holds it.
  for (const at of [T0, T0 + MIN, T0 + 60 * MIN, T0 + 61 * MIN]) runs.push(notifiedTitles(await runAt(project, at)));
  const back = T0 + 25 * S + 60 * MIN + 20 * S;
  // Without timeframe any change counts, however long ago the previous event was; with 1h, DE was 60m20s before.
  assert.deepEqual(runs[3], { travel: [`alice: DE at ${iso(T0 + 25 * S)} -> FR at ${iso(back)}`] });
  assert.deepEqual(runs[0], {});
  const firstChanges = [`alice: FR at ${iso(T0 + 10 * S)} -> DE at ${iso(T0 + 25 * S)}`, `bob: DE at ${iso(T0 + 20 * S)} -> FR at ${iso(T0 + 40 * S)}`];
  assert.deepEqual(runs[1], { 'travel-1h': firstChanges, travel: firstChanges, 'any-country': [`_all: DE at ${iso(T0 + 25 * S)} -> FR at ${iso(T0 + 40 * S)}`] });
  assert.deepEqual(runs[2], {});
  assert.deepEqual(project.state().alerts['travel-1h'].rule.keys.alice, ['FR', back]);
});

test('change: a catch-up window with several changes reports the latest that counts; a value coming back is a change', async () => {
  const T0 = minuteBase();
  const index = await world.index('chg-catchup');
  await indexDocs(world.esUrl, index, [
    // carol, timeframe 10m: A, B 2m later (counts), C 30m after B (too late), C, then A 20m later (too late).
    seen(T0 + 1 * MIN, 'carol', 'A'),
    seen(T0 + 3 * MIN, 'carol', 'B'),
    seen(T0 + 33 * MIN, 'carol', 'C'),
    seen(T0 + 35 * MIN, 'carol', 'C'),
    seen(T0 + 55 * MIN, 'carol', 'A'),
    // dave: A, B, A, B each a minute apart: the latest change, A -> B at 4m.
    seen(T0 + 1 * MIN, 'dave', 'A'),
    seen(T0 + 2 * MIN, 'dave', 'B'),
    seen(T0 + 3 * MIN, 'dave', 'A'),
    seen(T0 + 4 * MIN, 'dave', 'B'),
  ]);
  const project = world.project();
  const alert = {
    index,
    every: '1m',
    throttle: '0s',
    condition: { type: 'change', compare_key: 'geo.country', timeframe: '10m' },
    group_by: 'user.name',
    notify: ['soc-email'],
    title: '{{key}}: {{old_value}} -> {{new_value}} at {{new_value_at}}',
  };
  project.writeAlert('country', alert);
  // A second alert over the same index and span: the run fuses their searches into one; each reads its own part.
  project.writeAlert('country-too', alert);
  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {});
  // One run after an hour's downtime: its window [T0, T0+60m) holds every event.
  const titles = [`carol: A -> B at ${iso(T0 + 3 * MIN)}`, `dave: A -> B at ${iso(T0 + 4 * MIN)}`];
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 60 * MIN)), { country: titles, 'country-too': titles });
});

test('change: a key with more than 100 events in one window is compared on its newest 100, with a warning', async () => {
  const T0 = minuteBase();
  const index = await world.index('chg-crowded');
  // erin: X remembered from run 1; 120 events of Y in run 2's window: the change X -> Y is among the older 20.
  await indexDocs(world.esUrl, index, [
    seen(T0 - 2 * MIN, 'erin', 'X'),
    ...Array.from({ length: 120 }, (_, i) => seen(T0 + 100 + i * 400, 'erin', 'Y')),
  ]);
  const project = world.project();
  project.writeAlert('crowded', {
    index,
    every: '1m',
    throttle: '0s',
    condition: { type: 'change', compare_key: 'geo.country' },
    group_by: 'user.name',
    notify: ['soc-email'],
  });
  await runAt(project, T0);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T0 + MIN) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /1 key\(s\) had more than 100 events in this window \("erin"\): a change among their older events was not looked for/);
  assert.deepEqual(project.state().alerts.crowded.rule.keys.erin, ['Y', T0 + 100 + 119 * 400]);
});

test('change: a key with more than 100 events a minute holds back only itself: another key still resolves, the note is told once a day, and a key value cannot forge a line on stderr', async () => {
  const T0 = minuteBase();
  const index = await world.index('chg-busy');
  const forged = 'mallory\nwarning: alert payroll cannot fire: \u001b[2Jfake';
  const busy = (key: string, minute: number) => Array.from({ length: 101 }, (_, i) => seen(T0 + minute * MIN + 100 + i * 500, key, 'FR'));
  await indexDocs(world.esUrl, index, [
    seen(T0 + 5 * S, 'alice', 'FR'),
    seen(T0 + 25 * S, 'alice', 'DE'),
    ...busy(forged, 1),
    ...busy('bob', 1),
    ...busy('bob', 2),
    ...busy('bob', 3),
  ]);
  const project = world.project();
  project.writeAlert('travel', {
    index,
    every: '1m',
    throttle: '0s',
    resolve_after: 1,
    condition: { type: 'change', compare_key: 'geo.country' },
    group_by: 'user.name',
    notify: ['soc-slack'],
    title: 'travel: {{key}}',
  });
  const slack = () => (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  const stderr: string[] = [];
  for (const minute of [0, 1, 2, 3, 4]) {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T0 + minute * MIN) });
    assert.equal(result.code, 0, result.stderr);
    stderr.push(result.stderr);
  }
  assert.deepEqual(slack(), ['travel: alice', 'Resolved: travel: alice'], 'bob\'s crowded minutes do not hold back alice\'s resolution');
  assert.match(stderr[2]!, /2 key\(s\) had more than 100 events in this window \("bob", "mallory warning: alert payroll cannot fire: fake"\)/);
  assert.deepEqual(stderr.slice(3).map((text) => /more than 100 events/.test(text)), [false, false], 'the note is told once a day, not every run');
  for (const text of stderr) {
    assert.doesNotMatch(text, /^warning: alert payroll/m);
    assert.doesNotMatch(text, /\u001b/);
  }
  assert.deepEqual(project.audit().filter((e) => e.event === 'note').length, 1);
});

/** One event of a generated sequence: its key, its time (ms after the span's start), its value and the index it went to. */
interface Generated {
  key: string;
  at: number;
  value: string;
  index: 0 | 1;
}

/**
 * ElastAlert2's ChangeRule.compare (ruletypes.py, 2.31), event by event in time order: an event changes its key when
 * its value differs from the key's previous event, and, with a timeframe, that previous event is at most timeframe
 * older. Returns the changing events.
 */
function elastalertChanges(events: readonly Generated[], timeframe: number | undefined): Generated[] {
  const occurrences = new Map<string, string>();
  const occurrenceTime = new Map<string, number>();
  const changes: Generated[] = [];
  for (const e of [...events].sort((x, y) => x.at - y.at)) {
    let changed = false;
    if (occurrences.has(e.key)) {
      changed = occurrences.get(e.key) !== e.value;
      if (changed && occurrenceTime.has(e.key)) changed = e.at - occurrenceTime.get(e.key)! <= timeframe!;
    }
    occurrences.set(e.key, e.value);
    if (timeframe !== undefined) occurrenceTime.set(e.key, e.at);
    if (changed) changes.push(e);
  }
  return changes;
}

test('property: over generated sequences of (time, value) per key, the runs a backtest notifies are those whose window holds a change ElastAlert2 would report', async () => {
  const tag = `chgprop${Math.random().toString(36).slice(2, 6)}`;
  const indices = [await world.index(`${tag}-a`), await world.index(`${tag}-b`)];
  const project = world.project();
  const STEPS = 20;
  let run = 0;
  const base = Math.floor(uniqueBaseTime() / DAY) * DAY;
  // Each key's events one gap after another, the gaps short or around the timeframe (equal, just under, just
  // over), so that returns to an earlier value just past the timeframe and events on minute boundaries come up
  // often; the last window is left empty.
  const keyEvents = (key: string, timeframe: number | undefined) => {
    const t = timeframe ?? MIN;
    return fc
      .tuple(fc.integer({ min: 0, max: 36 }), fc.array(fc.record({ gap: fc.constantFrom(5 * S, 15 * S, t - 5 * S, t, t + 5 * S), value: fc.constantFrom('A', 'A', 'B', 'B', 'C'), index: fc.constantFrom<0 | 1>(0, 1) }), { maxLength: 16 }))
      .map(([first, steps]) => {
        let at = first * 5 * S;
        return steps.map((e) => ({ key, at: (at += e.gap), value: e.value, index: e.index })).filter((e) => e.at < (STEPS - 1) * MIN);
      });
  };
  const cases = fc.constantFrom(undefined, 30 * S, MIN, 2 * MIN, 5 * MIN).chain((timeframe) => fc.tuple(fc.tuple(keyEvents('k1', timeframe), keyEvents('k2', timeframe), keyEvents('k3', timeframe)), fc.constant(timeframe)));
  await checkProperty(
    'change decisions match ElastAlert2',
    fc.asyncProperty(cases, async ([perKey, timeframe]) => {
      run++;
      // Each case has its own day, so the cases sharing the indices never see each other's events.
      const end = base + run * DAY;
      const start = end - STEPS * MIN;
      const events = perKey.flat();
      for (const i of [0, 1] as const) {
        await indexDocs(world.esUrl, indices[i]!, events.filter((e) => e.index === i).map((e) => seen(start + e.at, e.key, e.value)));
      }
      project.writeAlert('prop', {
        index: `${tag}-*`,
        every: '1m',
        throttle: '0s',
        condition: { type: 'change', compare_key: 'geo.country', ...(timeframe ? { timeframe: `${timeframe / S}s` } : {}) },
        group_by: 'user.name',
        notify: ['soc-email'],
      });
      const result = await project.run(['test', 'prop', '--backtest', `${STEPS}m`, '--json'], { ALERTCRON_NOW: iso(end) });
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout);
      // A run notifies a key once when its window [from, to) holds at least one of the key's changes; the notice is
      // stamped with the window's end.
      const expected = new Map<string, Set<number>>();
      for (const change of elastalertChanges(events, timeframe)) {
        const step = Math.floor(change.at / MIN);
        const runs = expected.get(change.key) ?? new Set<number>();
        runs.add(start + (step + 1) * MIN);
        expected.set(change.key, runs);
      }
      const want = [...expected]
        .map(([key, runs]) => ({ key, notices: runs.size, first: iso(Math.min(...runs)), last: iso(Math.max(...runs)) }))
        .sort((x, y) => y.notices - x.notices || (x.key < y.key ? -1 : 1));
      assert.deepEqual(summary.byKey, want);
      // Minute by minute (the last window has no events, so each run's notices have a bucket of their own).
      const perMinute = new Array<number>(STEPS).fill(0);
      for (const runs of expected.values()) for (const at of runs) perMinute[(at - start) / MIN]!++;
      assert.deepEqual(summary.histogram.map((b: { notices: number }) => b.notices), perMinute);
    }),
    20,
  );
});
