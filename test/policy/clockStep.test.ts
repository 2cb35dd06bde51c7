import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AlertBase } from '../../src/model/alert.js';
import { emptyState, type KeyState, type StateData } from '../../src/model/state.js';
import { rebaseKey, rebaseRecords } from '../../src/policy/clockStep.js';
import { decideStage } from '../../src/run/decideStage.js';
import { stampDelivered } from '../../src/state/delivered.js';
import { checkProperty } from '../support/property.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

test('rebaseKey: times ahead move back by the step and at least to just before now; a firing key stays firing', () => {
  const now = 1000 * MIN;
  const key: KeyState = { firstSeen: 10 * MIN, lastSeen: now + 48 * HOUR, lastFired: now + 48 * HOUR, resolvedAt: now + 47 * HOUR, fired: 2, delivered: { slack: now + 48 * HOUR } };
  assert.equal(rebaseKey(key, now, 0, 48 * HOUR + MIN), true);
  assert.deepEqual(key, { firstSeen: 10 * MIN, lastSeen: now - MIN, lastFired: now - MIN, resolvedAt: now - HOUR - MIN, fired: 2, delivered: { slack: now - MIN } });
  const unknownStep: KeyState = { firstSeen: now + HOUR, lastSeen: now + HOUR, lastFired: now + 2 * HOUR, resolvedAt: now + HOUR, fired: 1, delivered: {} };
  rebaseKey(unknownStep, now);
  assert.equal(unknownStep.lastFired, now - 1);
  assert.ok(unknownStep.resolvedAt! < unknownStep.lastFired!, 'notified after its last resolution: still firing');
  const within: KeyState = { firstSeen: now, lastSeen: now + 4_000, lastFired: now + 4_000, fired: 1, delivered: {} };
  assert.equal(rebaseKey(within, now), false, 'a few seconds ahead is a cron run, not a clock step');
  assert.equal(rebaseKey({ ...within, lastFired: now + 50_000 }, now, 60_000), false, 'within max_clock_skew is another host');
});

test('rebaseRecords: a silence and a queued notice set while ahead keep their length from now; receipts and the last run move to now', () => {
  const now = 1000 * MIN;
  const data = emptyState();
  data.silences.push({ id: 's', alert: 'a', createdAt: now + 48 * HOUR, endsAt: now + 48 * HOUR + 30 * MIN, comment: 'c', author: 'me' });
  data.silences.push({ id: 'old', alert: 'a', createdAt: now - HOUR, endsAt: now + HOUR, comment: 'c', author: 'me' });
  data.pending.push({ id: 'p', alert: 'a', key: 'k', channel: 'slack', reason: 'first', title: 't', message: 'm', createdAt: now + HOUR, attempts: 1, notBefore: now + HOUR + 30_000 });
  data.sent.push({ id: 'n', alert: 'a', key: 'k', channel: 'slack', reason: 'first', at: now + HOUR, receipt: {} as never });
  data.lastRun = { startedAt: now + HOUR, finishedAt: now + HOUR + 1000, exitCode: 0, lastSuccessAt: now + HOUR + 1000 };
  assert.equal(rebaseRecords(data, now), 6);
  assert.deepEqual([data.silences[0]!.createdAt, data.silences[0]!.endsAt], [now - 1, now - 1 + 30 * MIN]);
  assert.deepEqual([data.silences[1]!.createdAt, data.silences[1]!.endsAt], [now - HOUR, now + HOUR], 'a silence set by a clock that was right stands');
  assert.deepEqual([data.pending[0]!.createdAt, data.pending[0]!.notBefore], [now - 1, now - 1 + 30_000]);
  assert.equal(data.sent[0]!.at, now - 1);
  assert.deepEqual(data.lastRun, { startedAt: now - 1, finishedAt: now - 1, exitCode: 0, lastSuccessAt: now - 1 });
  assert.equal(rebaseRecords(data, now), 0, 'nothing is ahead any more');
});

test('rebaseRecords: a question asked and confirmed while ahead keeps its deadline and quiet period from now; a token its lifetime', () => {
  const now = 1000 * MIN;
  const data = emptyState();
  const ahead = now + 48 * HOUR;
  data.conversations.push({
    id: 'a/k', alert: 'a', key: 'k', person: 'bob', channel: 'bot', state: 'confirmed', createdAt: ahead, deadline: ahead + 15 * MIN, askedAt: ahead, title: 't', message: 'm', question: 'q', links: [],
    answer: { text: 'yes', at: ahead + MIN, verdict: 'yes' }, quietFor: HOUR, history: [{ at: ahead, state: 'asked', note: 'asked' }], closedAt: ahead + 2 * MIN,
  });
  data.tokens = { maxpatrol: { value: 'secret', obtainedAt: ahead, expiresAt: ahead + HOUR } };
  data.chatDone = { 'tg:1': ahead, 'tg:0': now - MIN };
  rebaseRecords(data, now);
  const c = data.conversations[0]!;
  assert.deepEqual([c.createdAt, c.deadline, c.askedAt, c.answer!.at, c.closedAt, c.history[0]!.at], [now - 1, now - 1 + 15 * MIN, now - 1, now - 1, now - 1, now - 1]);
  assert.ok(c.closedAt! + c.quietFor <= now + HOUR, 'quiet for its hour from now, not for 49 hours');
  assert.deepEqual(data.tokens.maxpatrol, { value: 'secret', obtainedAt: now - 1, expiresAt: now - 1 + HOUR });
  assert.deepEqual(data.chatDone, { 'tg:1': now - 1, 'tg:0': now - MIN });
});

/** An alert with one key, telling Slack, resolved after one run without it. */
function oneKeyAlert(throttle: number): AlertBase {
  return { name: 'a', file: 'alerts/a.yaml', description: '', source: 'elasticsearch', every: MIN, throttle, ingest_delay: 0, max_catchup: 24 * HOUR, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], resolve_after: 1, title: 'A {{key}}' };
}

/** What a run told: a notice of the key, its resolution, or nothing. */
type Told = 'notice' | 'resolved' | undefined;

/**
 * Runs the decide stage once a minute of real time, at a clock `offset` from it, with the key present or not; every
 * notice is taken as accepted by Slack. Returns what each run told.
 */
function simulate(alert: AlertBase, runs: readonly { offset: number; present: boolean }[], start: number): Told[] {
  const data = emptyState();
  return runs.map(({ offset, present }, i) => {
    const now = start + i * MIN + offset;
    const findings = present ? [{ key: 'k', count: 1, fields: {}, samples: [] }] : [];
    const decided = decideStage([{ alert, window: { from: now - MIN, to: now }, request: undefined, ok: true, findings }], data, new Map(), now, { fixedWindow: false, includeRequests: false, maxFindings: 100, resolveSetting: () => ({ sendResolved: true }) });
    assert.equal(decided.alerts[0]!.status, 'ok', decided.alerts[0]!.error);
    for (const d of decided.deliveries) stampDelivered(data, d, now);
    const reasons = decided.deliveries.map((d) => d.reason);
    return reasons.includes('resolved') ? 'resolved' : reasons.length ? 'notice' : undefined;
  });
}

/** Clock offsets: each step keeps the clock, or steps it forward or back by anything from seconds to days. */
const offsetArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -72 * HOUR, max: 72 * HOUR }),
  fc.constantFrom(-10 * MIN, 10 * MIN, 48 * HOUR, -48 * HOUR, 6_000, -6_000),
);

test('property: after any clock steps, a key is told within its throttle of the clock returning, and each end is told once', async () => {
  await checkProperty(
    'clock steps never hold a key back or resolve it twice',
    fc.property(
      fc.array(fc.record({ offset: offsetArb, present: fc.boolean() }), { minLength: 1, maxLength: 12 }),
      fc.constantFrom(MIN, 2 * MIN, 5 * MIN, 30 * MIN),
      fc.integer({ min: 1, max: 5 }),
      (stepped, throttle, absentRuns) => {
        const alert = oneKeyAlert(throttle);
        // After the stepped runs the clock is right again: the key matches for a throttle and two runs, then stops.
        const presentRuns = throttle / MIN + 2;
        const corrected = [...Array.from({ length: presentRuns }, () => ({ offset: 0, present: true })), ...Array.from({ length: absentRuns }, () => ({ offset: 0, present: false }))];
        const told = simulate(alert, [...stepped, ...corrected], 1_000_000 * MIN);
        const after = told.slice(stepped.length);
        const firstNotice = after.indexOf('notice');
        assert.ok(firstNotice >= 0 && firstNotice <= throttle / MIN, `told ${firstNotice} run(s) after the clock returned (throttle ${throttle / MIN}m): ${JSON.stringify(told)}`);
        // Every resolution ends a notified occurrence: never two without a notice between them.
        let sinceNotice = 0;
        for (const t of told) {
          if (t === 'notice') sinceNotice = 0;
          if (t === 'resolved') assert.equal(++sinceNotice, 1, `resolved twice for one occurrence: ${JSON.stringify(told)}`);
        }
        assert.equal(after.slice(presentRuns).filter((t) => t === 'resolved').length, 1, `its end told exactly once: ${JSON.stringify(told)}`);
      },
    ),
    200,
  );
});

test('rebaseRecords: an open digest written while ahead moves back as a whole (from, to, due and its rows), keeping its length; a row written ahead after it opened moves on its own', () => {
  const now = 1_000_000_000;
  const ahead = now + 48 * 3_600_000;
  const bucket = (from: number, last: number) => ({ from, to: from + 600_000, due: from + 600_000, columns: ['user'], rows: [{ cells: ['a'], count: 1, first: from, last }], findings: 1, omitted: 0, keys: ['x'] });
  const data = { ...emptyState(), alerts: { a: { keys: {}, digests: [bucket(ahead, ahead + 1000), bucket(now - 5000, ahead)] } } } as unknown as StateData;
  rebaseRecords(data, now);
  const [moved, row] = data.alerts.a!.digests!;
  assert.deepEqual([moved!.from, moved!.to, moved!.due, moved!.rows[0]!.first, moved!.rows[0]!.last], [now - 1, now - 1 + 600_000, now - 1 + 600_000, now - 1, now - 1 + 1000]);
  assert.deepEqual([row!.from, row!.due, row!.rows[0]!.first, row!.rows[0]!.last], [now - 5000, now - 5000 + 600_000, now - 5000, now - 1]);
});

test('rebaseKey: a channel kept receipt moves with its stamp, so keptReceipt still decides without the receipt log', async () => {
  const { keptReceipt } = await import('../../src/outbox/opened.js');
  const now = 1000 * MIN;
  const ahead = now + 48 * HOUR;
  const key: KeyState = { firstSeen: ahead, lastSeen: ahead, lastFired: ahead, fired: 1, delivered: { slack: ahead, mail: now - HOUR }, opened: { slack: { at: ahead, receipt: { id: 'ts1' } }, mail: { at: now - 2 * HOUR } } };
  rebaseKey(key, now, 0, 48 * HOUR);
  assert.equal(key.opened!.slack!.at, key.delivered.slack, 'moved together');
  assert.equal(key.opened!.mail!.at, now - 2 * HOUR, 'a kept receipt of another notice than the stamp is left');
  assert.deepEqual(keptReceipt(key, { channel: 'slack', reason: 'repeat', createdAt: now }), { receipt: { id: 'ts1' } });
});

test('rebaseKey: a firing key that a step flips to resolved is resolved before its episode began, so the episode start is not taken for an earlier one', () => {
  const now = 1000 * MIN;
  const by = 48 * HOUR + MIN;
  // Notified far ahead (episode from 47h ahead), resolved just within the skew: the step flips it.
  const key: KeyState = { firstSeen: 10 * MIN, lastSeen: now + 48 * HOUR, firingSince: now + 47 * HOUR, lastFired: now + 48 * HOUR, resolvedAt: now + 4_000, fired: 2, delivered: {} };
  rebaseKey(key, now, 0, by);
  assert.deepEqual([key.firingSince, key.lastFired], [now - HOUR - MIN, now - MIN]);
  assert.equal(key.resolvedAt, now - HOUR - MIN - 1, 'resolved just before the episode start, not just before its last notice');
});

test('rebaseKey: a last notice ahead moved below an episode start that was not ahead takes the episode start with it', () => {
  const now = 1000 * MIN;
  const key: KeyState = { firstSeen: 10 * MIN, lastSeen: now + 2 * HOUR, firingSince: now + 3_000, lastFired: now + 2 * HOUR, fired: 2, delivered: {} };
  assert.equal(rebaseKey(key, now), true);
  assert.deepEqual([key.firingSince, key.lastFired], [now - 1, now - 1], 'firingSince never after lastFired');
});
