// A key's episode start (firingSince) across the notices of one episode, driven through decideFindings: a repeat,
// an escalation tier and a notice summed up beyond run.max_findings keep it while lastFired moves; a new key starts one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import type { Finding } from '../../src/model/finding.js';
import type { AlertState, KeyState } from '../../src/model/state.js';
import { decideFindings } from '../../src/run/decide.js';
import { plainMap } from '../../src/util/plainMap.js';

const MIN = 60_000;
const NOW = Date.parse('2026-11-25T10:00:00Z');
const START = NOW - 30 * MIN;
const alert = { name: 'logons', file: 'alerts/logons.yaml', description: '', source: 'elasticsearch', every: MIN, throttle: 5 * MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], title: 'L {{key}}', group_by: ['user.name'] } as AlertBase;
const window = { from: NOW - MIN, to: NOW };

/** A key firing since START, last notified `lastFired`. */
function firingKey(lastFired: number): KeyState {
  return { firstSeen: START - 60 * MIN, lastSeen: NOW - MIN, firingSince: START, lastFired, fired: 3, delivered: plainMap() };
}

/** The findings for keys, created `age` ago. */
function findings(keys: string[], age = 0): Finding[] {
  return keys.map((key) => ({ key, count: 1, fields: { 'user.name': key }, samples: [], createdAt: NOW - age }));
}

/** Decides an alert's findings over a state holding the keys, with a budget of notices. */
function decideOver(a: AlertBase, keys: Record<string, KeyState>, found: Finding[], budget = Infinity) {
  const state: AlertState = { keys: plainMap(Object.entries(keys)) } as AlertState;
  const decided = decideFindings(a, found, window, state, NOW, [], () => undefined, budget);
  return { state, decided };
}

test('a repeat notice inside one episode moves lastFired and keeps firingSince', () => {
  const { state, decided } = decideOver(alert, { root: firingKey(NOW - 6 * MIN) }, findings(['root']));
  assert.deepEqual(decided.reports.map((r) => [r.key, r.decision]), [['root', 'repeat']]);
  assert.deepEqual([state.keys.root!.firingSince, state.keys.root!.lastFired], [START, NOW]);
});

test('an escalation tier notice of a firing key (its repeat due too) keeps firingSince', () => {
  const escalating = { ...alert, escalation: [{ after: 20 * MIN, notify: ['pager'] }] } as AlertBase;
  const { state, decided } = decideOver(escalating, { root: firingKey(NOW - 6 * MIN) }, findings(['root'], 25 * MIN));
  assert.deepEqual(decided.deliveries.map((d) => [d.channel, d.reason]), [['slack', 'repeat'], ['pager', 'tier-1']]);
  assert.deepEqual([state.keys.root!.firingSince, state.keys.root!.lastFired, state.keys.root!.tier], [START, NOW, 0]);
});

test('keys summed up beyond run.max_findings: one still firing keeps firingSince, a new one starts its episode now', () => {
  const { state, decided } = decideOver(alert, { root: firingKey(NOW - 6 * MIN), admin: firingKey(NOW - 6 * MIN) }, findings(['root', 'admin', 'guest']), 1);
  assert.equal(decided.overflow.length, 2);
  for (const finding of decided.overflow) {
    const key = state.keys[finding.key]!;
    assert.equal(key.lastFired, NOW, `${finding.key}: told in the summary`);
    assert.equal(key.firingSince, finding.key === 'guest' ? NOW : START, `${finding.key}: its episode start`);
  }
});
