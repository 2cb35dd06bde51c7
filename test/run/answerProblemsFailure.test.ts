import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import { emptyState } from '../../src/model/state.js';
import { watchAlertProblems } from '../../src/run/alertProblems.js';
import { evaluateOne } from '../../src/run/evaluate.js';

const MIN = 60_000;
const alert = { name: 'logins', file: 'alerts/logins.yaml', description: '', source: 'elasticsearch', every: MIN, throttle: MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], resolve_after: 1, title: 'Logins', index: 'logs-*', condition: { type: 'any' } } as unknown as AlertBase;
const window = { from: 0, to: MIN };

/** An answer the rule type reads well but whose `_shards` cannot be read: reading what it shows about the alert throws. */
function answer() {
  return {
    hits: { total: { value: 3, relation: 'eq' }, hits: [] },
    get _shards(): never {
      throw new Error('unreadable shards');
    },
  };
}

test('an answer whose problems cannot be read keeps the alert\'s findings: no observations, and the problems stage says why', async () => {
  const evaluated = await evaluateOne({ plan: { alert, window, request: { index: 'logs-*', body: {} } }, outcome: { ok: true, response: answer() as never } }, () => undefined);
  assert.equal(evaluated.ok, true, JSON.stringify(evaluated));
  if (!evaluated.ok) return;
  assert.equal(evaluated.findings.length, 1);
  assert.equal(evaluated.answer, undefined);
  assert.match(evaluated.answerError ?? '', /unreadable shards/);
  const watched = await watchAlertProblems([evaluated], emptyState(), { monitoring: { notify: [], after_failures: 3, heartbeat_timeout: 5000 }, now: 10 * MIN });
  assert.ok(watched.warnings.some((w) => w.includes('alert logins') && w.includes('unreadable shards') && w.includes('findings stand')), JSON.stringify(watched.warnings));
});

test('backtest-like evaluation with problems: false reads no problems at all', async () => {
  const evaluated = await evaluateOne({ plan: { alert, window, request: { index: 'logs-*', body: {} } }, outcome: { ok: true, response: answer() as never } }, () => undefined, { problems: false });
  assert.equal(evaluated.ok, true);
  if (evaluated.ok) assert.equal(evaluated.answerError, undefined);
});
