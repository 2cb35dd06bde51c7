import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import { planAlert } from '../../src/run/plan.js';

const MIN = 60_000;
const alert = (over: Partial<AlertBase> = {}): AlertBase => ({
  name: 'a', file: 'alerts/a.yaml', description: '', source: 'elasticsearch', high_risk_words: [],
  every: MIN, throttle: 30 * MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: 5 * MIN,
  samples: 3, notify: ['x'], title: 't', ...over,
});
const NOW = 1_000 * MIN;

test('the first run looks back first_lookback', () => {
  assert.deepEqual(planAlert(alert(), undefined, NOW), { due: true, window: { from: NOW - 5 * MIN, to: NOW }, skippedMs: 0 });
});

test('a run resumes exactly where the last successful window ended: no gap, no overlap', () => {
  const plan = planAlert(alert(), { keys: {}, window: { from: NOW - 10 * MIN, to: NOW - 7 * MIN }, lastRunAt: NOW - 7 * MIN }, NOW);
  assert.deepEqual(plan, { due: true, window: { from: NOW - 7 * MIN, to: NOW }, skippedMs: 0 });
});

test('after long downtime the window is capped by max_catchup and the skipped time is reported', () => {
  const plan = planAlert(alert(), { keys: {}, window: { from: 0, to: NOW - 200 * MIN }, lastRunAt: NOW - 200 * MIN }, NOW);
  assert.deepEqual(plan, { due: true, window: { from: NOW - 60 * MIN, to: NOW }, skippedMs: 140 * MIN });
});

test('ingest_delay moves the end of the window back', () => {
  const plan = planAlert(alert({ ingest_delay: 30_000 }), { keys: {}, window: { from: 0, to: NOW - 2 * MIN }, lastRunAt: NOW - 2 * MIN }, NOW);
  assert.deepEqual(plan, { due: true, window: { from: NOW - 2 * MIN, to: NOW - 30_000 }, skippedMs: 0 });
});

test('every: an alert is not due before its interval, with a few seconds of slack for early cron runs', () => {
  const state = { keys: {}, window: { from: 0, to: NOW - 2 * MIN }, lastRunAt: NOW - 2 * MIN };
  assert.deepEqual(planAlert(alert({ every: 5 * MIN }), state, NOW), { due: false, nextAt: NOW + 3 * MIN });
  assert.equal(planAlert(alert({ every: 2 * MIN }), { ...state, lastRunAt: NOW - 2 * MIN + 3000 }, NOW).due, true);
});

test('lookback searches a fixed trailing window', () => {
  const plan = planAlert(alert({ lookback: 15 * MIN }), { keys: {}, window: { from: 0, to: NOW - MIN }, lastRunAt: NOW - MIN }, NOW);
  assert.deepEqual(plan, { due: true, window: { from: NOW - 15 * MIN, to: NOW }, skippedMs: 0 });
});

test('a window never moves backwards: a larger ingest_delay waits until now catches up', () => {
  const plan = planAlert(alert({ ingest_delay: 5 * MIN }), { keys: {}, window: { from: NOW - 2 * MIN, to: NOW - MIN }, lastRunAt: NOW - MIN }, NOW);
  assert.deepEqual(plan, { due: false, nextAt: NOW + 4 * MIN });
});
