// A clock step never silences a key: times stored while the clock was ahead hold nothing back once it is corrected
// (throttle, resolution, silences). Each test drives the CLI against the real engine and a fake Slack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkProperty } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const world = useWorld();

/** A project whose alert `root` tells the one key `root` with a 1m throttle; `runAt` runs it at a clock time and returns the Slack titles that run sent. */
async function oneKeyProject(prefix: string) {
  const index = await world.index(prefix);
  const project = world.project({ extraConfig: { defaults: { first_lookback: '2m', ingest_delay: '0s', max_catchup: '72h' } } });
  project.writeAlert('root', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '1m', resolve_after: 1, title: 'Logon {{key}}' });
  const runAt = async (clock: number): Promise<string[]> => {
    const before = world.slack.accepted().length;
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(clock) });
    assert.equal(result.code, 0, result.stderr);
    return (world.slack.accepted() as { text: string }[]).slice(before).map((p) => p.text);
  };
  /** The host's shipper stamps a logon of root with the host's clock. */
  const logon = (stamp: number) => indexDocs(world.esUrl, index, [logonEvent(stamp, 'root')]);
  return { project, runAt, logon };
}

test('a clock 48 h ahead for a few runs, then corrected: the key is told at its throttle, its end once, its return again', async () => {
  const T = uniqueBaseTime();
  const { project, runAt, logon } = await oneKeyProject('clock-ahead');
  await logon(T - 30_000);
  assert.deepEqual(await runAt(T), ['Logon root']);
  // The clock jumps 48 h ahead for three runs; the shipper stamps with it, so root keeps matching.
  for (const minute of [1, 2, 3]) {
    await logon(T + 48 * HOUR + minute * MIN - 30_000);
    assert.deepEqual(await runAt(T + 48 * HOUR + minute * MIN), ['Logon root'], `ahead, minute ${minute}`);
  }
  // Corrected: root goes on matching for five minutes (stamped right), then stops.
  const told: string[][] = [];
  for (let minute = 4; minute <= 13; minute++) {
    if (minute <= 8) await logon(T + minute * MIN - 30_000);
    told.push(await runAt(T + minute * MIN));
  }
  assert.deepEqual(told.slice(0, 5), [['Logon root'], ['Logon root'], ['Logon root'], ['Logon root'], ['Logon root']], 'told every minute (its 1m throttle) from the correction on');
  assert.deepEqual(told.slice(5), [['Resolved: Logon root'], [], [], [], []], 'its end is told once, not on every run');
  const key = project.state().alerts.root.keys.root;
  assert.ok(key.lastFired <= T + 13 * MIN && key.resolvedAt <= T + 13 * MIN, `no time ahead of the clock is kept: ${JSON.stringify(key)}`);
  // It comes back: its return is told.
  await logon(T + 14 * MIN - 30_000);
  assert.deepEqual(await runAt(T + 14 * MIN), ['Logon root']);
});

test('a key resolved while the clock was ahead is told when it returns after the correction, and resolved once more only after that', async () => {
  const T = uniqueBaseTime();
  const { runAt, logon } = await oneKeyProject('clock-ahead-resolved');
  await logon(T - 30_000);
  assert.deepEqual(await runAt(T), ['Logon root']);
  // Ahead by 48 h: root no longer matches, and is resolved then.
  assert.deepEqual(await runAt(T + 48 * HOUR + MIN), ['Resolved: Logon root']);
  assert.deepEqual(await runAt(T + 48 * HOUR + 2 * MIN), []);
  assert.deepEqual(await runAt(T + 48 * HOUR + 3 * MIN), []);
  // Corrected; root returns.
  const told: string[][] = [];
  for (let minute = 4; minute <= 8; minute++) {
    if (minute <= 6) await logon(T + minute * MIN - 30_000);
    told.push(await runAt(T + minute * MIN));
  }
  assert.deepEqual(told, [['Logon root'], ['Logon root'], ['Logon root'], ['Resolved: Logon root'], []]);
});

test('a clock stepped back 10 minutes: a 1m-throttled key keeps being told every minute', async () => {
  const T = uniqueBaseTime();
  const { runAt, logon } = await oneKeyProject('clock-back-throttle');
  for (let minute = 0; minute < 5; minute++) {
    await logon(T + minute * MIN - 30_000);
    assert.deepEqual(await runAt(T + minute * MIN), ['Logon root'], `before the step, minute ${minute}`);
  }
  // The clock is stepped back 10 minutes; the shipper stamps with it.
  const back = T + 5 * MIN - 10 * MIN;
  for (let minute = 0; minute < 12; minute++) {
    await logon(back + minute * MIN - 30_000);
    assert.deepEqual(await runAt(back + minute * MIN), ['Logon root'], `after the step, minute ${minute}`);
  }
});

test('a silence set while the clock was ahead lasts its length from the correction, not until the clock catches up', async () => {
  const T = uniqueBaseTime();
  const { project, runAt, logon } = await oneKeyProject('clock-ahead-silence');
  await logon(T - 30_000);
  assert.deepEqual(await runAt(T), ['Logon root']);
  const silenced = await project.run(['silence', 'add', 'root', '--for', '5m', '--comment', 'maintenance'], { ALERTCRON_NOW: iso(T + 48 * HOUR) });
  assert.equal(silenced.code, 0, silenced.stderr);
  // Corrected at once: the silence holds for its 5 minutes from now, then root is told again.
  const told: string[][] = [];
  for (let minute = 1; minute <= 7; minute++) {
    await logon(T + minute * MIN - 30_000);
    told.push(await runAt(T + minute * MIN));
  }
  assert.deepEqual(told.slice(0, 4), [[], [], [], []], `silenced for its length: ${JSON.stringify(told)}`);
  assert.ok(told.slice(4).flat().includes('Logon root'), `told once the silence's 5 minutes are over: ${JSON.stringify(told)}`);
});

test('property: any steps of the clock over a few runs, then corrected: every run ends well and the key is told again within its throttle', async () => {
  const offsets = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -72 * HOUR, max: 72 * HOUR }), fc.constantFrom(-10 * MIN, 48 * HOUR)), { minLength: 1, maxLength: 3 });
  let n = 0;
  await checkProperty(
    'clock steps through the CLI',
    fc.asyncProperty(offsets, async (stepped) => {
      const T = uniqueBaseTime();
      const { runAt, logon } = await oneKeyProject(`clock-prop-${n++}`);
      // The shipper stamps with the host's clock: root matches in every run, whatever the clock says.
      const runs = [...stepped, 0, 0, 0];
      const told: string[][] = [];
      for (const [i, offset] of runs.entries()) {
        const clock = T + i * MIN + offset;
        await logon(clock - 30_000);
        told.push(await runAt(clock));
      }
      const corrected = told.slice(stepped.length);
      assert.ok(corrected[0]!.length + corrected[1]!.length >= 1, `told within its 1m throttle once the clock is right: ${JSON.stringify(told)}`);
      assert.ok(corrected.flat().every((t) => t === 'Logon root'), `no resolution of a key that kept matching: ${JSON.stringify(told)}`);
    }),
    8,
  );
});
