import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyState, type AlertState, type KeyState, type StateData } from '../../src/model/state.js';
import { stateText } from '../../src/state/fileStore.js';
import { firedKey } from '../support/keyStates.js';

const NOW = Date.parse('2026-12-08T01:00:00Z');

const key = firedKey;

/** A state of three alerts, each with one key; `middle` replaces the second alert's state. */
function threeAlerts(middle?: unknown): { data: StateData; keys: Record<string, KeyState>[] } {
  const data = emptyState();
  const keys: Record<string, KeyState>[] = [{ a: key(NOW) }, { b: key(NOW) }, { c: key(NOW) }];
  data.alerts.first = { keys: keys[0]! };
  data.alerts.second = (middle ?? { keys: keys[1]! }) as AlertState;
  data.alerts.third = { keys: keys[2]! };
  return { data, keys };
}

test("state.json's text leaves the keys out, and every alert has its own keys back after", () => {
  const { data, keys } = threeAlerts();
  const text = stateText(data, { keyFile: 'k' });
  assert.doesNotMatch(text, /"keys"/);
  assert.deepEqual(Object.keys(JSON.parse(text).alerts), ['first', 'second', 'third']);
  assert.deepEqual(['first', 'second', 'third'].map((n) => data.alerts[n]!.keys), keys);
});

test("a value JSON cannot write (a BigInt) midway: stateText throws, and every alert's keys are back", () => {
  const { data, keys } = threeAlerts({ keys: { b: key(NOW) }, lastRunAt: 1n });
  assert.throws(() => stateText(data, {}), /BigInt/);
  assert.equal(data.alerts.first!.keys, keys[0]);
  assert.deepEqual(data.alerts.second!.keys, { b: key(NOW) });
  assert.equal(data.alerts.third!.keys, keys[2]);
});

test("an alert that is not an object midway: stateText throws, and the alerts before it have their keys back", () => {
  for (const middle of [5, 'text', null]) {
    const { data, keys } = threeAlerts(middle === null ? undefined : middle);
    if (middle === null) (data.alerts as Record<string, unknown>).second = null;
    assert.throws(() => stateText(data, {}), TypeError);
    assert.equal(data.alerts.first!.keys, keys[0], `first's keys back (second is ${String(middle)})`);
    assert.equal(data.alerts.third!.keys, keys[2]);
  }
});

test('one alert state under two names: its keys are back after, and written under neither name', () => {
  const { data, keys } = threeAlerts();
  data.alerts.again = data.alerts.first!;
  const text = stateText(data, {});
  assert.doesNotMatch(text, /"keys"/);
  assert.equal(data.alerts.first!.keys, keys[0]);
  assert.equal(data.alerts.again.keys, keys[0]);
});
