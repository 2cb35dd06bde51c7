import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import type { Finding } from '../../src/model/finding.js';
import { emptyState } from '../../src/model/state.js';
import { SUMMARY_KEY } from '../../src/run/decide.js';
import { decideStage } from '../../src/run/decideStage.js';
import type { Source } from '../../src/sources/types.js';

const MIN = 60_000;
const NOW = Date.parse('2026-11-25T10:00:00Z');
const digest = { every: 10 * MIN, per: [], fields: ['user'], max_rows: 50, channels: ['mail'] };
const alert = { name: 'users', file: 'alerts/users.yaml', description: '', source: 'elasticsearch', every: MIN, throttle: MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['mail', 'slack'], high_risk_words: [], title: 'U {{key}}', digest } as AlertBase;
const finding = (key: string): Finding => ({ key, count: 1, fields: { user: key }, samples: [] });

/** The decide stage over one run of `a` with these findings, a source that personalises `personal` keys, and max_findings. */
function decide(a: AlertBase, findings: Finding[], maxFindings = 100, personal: string[] = []) {
  const data = emptyState();
  const source = { personalise: (_: unknown, f: Finding) => (personal.includes(f.key) ? { to: `${f.key}@example.org`, template: {} } : undefined) } as unknown as Source;
  const evaluated = { alert: a, window: { from: NOW - MIN, to: NOW }, request: undefined, ok: true as const, findings };
  const decided = decideStage([evaluated], data, new Map([['elasticsearch', source]]), NOW, { fixedWindow: false, includeRequests: false, maxFindings, resolveSetting: () => ({ sendResolved: true }) });
  return { decided, data };
}

test('a finding to notify goes to the direct channels at once and into the digest for the digest channels; its key is throttled as if told', () => {
  const { decided, data } = decide(alert, [finding('ann')]);
  assert.deepEqual(decided.deliveries.map((d) => d.channel), ['slack']);
  assert.equal(data.alerts.users!.digests![0]!.rows[0]!.cells[0], 'ann');
  assert.equal(data.alerts.users!.keys.ann!.lastFired, NOW);
  assert.equal(decided.alerts[0]!.findings[0]!.digested, true);
});

test('findings beyond max_findings are collected too; the summary notice goes to the direct channels only, and none when every channel is digested', () => {
  const many = ['a', 'b', 'c', 'd'].map(finding);
  const split = decide(alert, many, 2);
  assert.equal(split.data.alerts.users!.digests![0]!.findings, 4);
  assert.deepEqual(split.decided.deliveries.filter((d) => d.key === SUMMARY_KEY).map((d) => d.channel), ['slack']);
  const allDigested = decide({ ...alert, notify: ['mail'] }, many, 2);
  assert.equal(allDigested.data.alerts.users!.digests![0]!.findings, 4);
  assert.deepEqual(allDigested.decided.deliveries, []);
});

test('a personal mail (a feedback mail with its own recipient) is never digested', () => {
  const { decided, data } = decide(alert, [finding('ann'), finding('bob')], 100, ['ann']);
  assert.deepEqual(decided.deliveries.filter((d) => d.key === 'ann').map((d) => [d.channel, d.to]), [['mail', ['ann@example.org']], ['slack', ['ann@example.org']]]);
  assert.deepEqual(data.alerts.users!.digests![0]!.rows.map((r) => r.cells[0]), ['bob']);
});
