import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import { emptyState } from '../../src/model/state.js';
import { UNEXAMINED_KEY } from '../../src/run/decide.js';
import { decideStage } from '../../src/run/decideStage.js';

const MIN = 60_000;
const NOW = Date.parse('2026-11-25T10:00:00Z');

/** A group_by alert notifying one channel. */
const alert = { name: 'users', file: 'alerts/users.yaml', description: '', source: 'elasticsearch', every: MIN, throttle: MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], resolve_after: 1, title: 'U {{key}}', group_by: ['user.name'] } as AlertBase;

/** The decide stage over one evaluation of the alert with no finding, its note on the findings, and the events of keys left out. */
function decide(incomplete: string, keysLeftOut?: number) {
  const evaluated = { alert, window: { from: NOW - MIN, to: NOW }, request: undefined, ok: true as const, findings: [], incomplete, ...(keysLeftOut ? { keysLeftOut } : {}) };
  return decideStage([evaluated], emptyState(), new Map(), NOW, { fixedWindow: false, includeRequests: false, maxFindings: 100, resolveSetting: () => ({ sendResolved: true }) });
}

test('a group_by alert whose findings are incomplete for another reason than keys left out (keys forgotten, a source note) gets the warning, not the "not every key was examined" notice', () => {
  const decided = decide('12 key(s) beyond the 10000 remembered were forgotten (the least recently seen): they warm up again');
  assert.deepEqual(decided.deliveries.filter((d) => d.key === UNEXAMINED_KEY), [], 'no "not every key was examined" notice');
  assert.ok(decided.warnings.some((w) => /alert users: 12 key\(s\) beyond the 10000 remembered were forgotten/.test(w)), decided.warnings.join('\n'));
  assert.ok(decided.audit.some((a) => a.event === 'incomplete'));
});

test('a group_by alert whose search left keys out beyond its pages of group_size gets the notice, and the warning', () => {
  const decided = decide('40 matching event(s) fall under more than group_size (10) values of user.name: those keys were not seen (raise group_size)', 40);
  const notices = decided.deliveries.filter((d) => d.key === UNEXAMINED_KEY);
  assert.deepEqual(notices.map((d) => d.title), ['users: not every key was examined this run']);
  assert.ok(decided.warnings.some((w) => /alert users: 40 matching event/.test(w)));
});
