// A resolve, repeat or tier carries the receipt of what its channel opened for the key (a repeat or tier only within
// the key's current episode); a first notice and a digest carry none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertState, KeyState, SentNotice } from '../../src/model/state.js';
import { openedLookup, openedReceipt } from '../../src/outbox/opened.js';

const sent = (at: number, reason: string, id: string, over: Partial<SentNotice> = {}): SentNotice => ({ id: `s${at}`, alert: 'a', key: 'k', channel: 'pd', reason, at, receipt: { id }, ...over });

test('a resolve gets the receipt of the latest notice its channel accepted for the key before it was queued', () => {
  const history = [
    sent(1000, 'first', 'old-episode'),
    sent(2000, 'resolved', 'old-resolve'),
    sent(3000, 'first', 'opened'),
    sent(4000, 'repeat', 'repeated'),
    sent(4500, 'digest', 'digest'),
    sent(4600, 'repeat', 'other-key', { key: 'k2' }),
    sent(4700, 'repeat', 'other-channel', { channel: 'jira' }),
    sent(4800, 'repeat', 'other-alert', { alert: 'b' }),
    sent(9000, 'first', 'after-the-resolve'),
  ];
  assert.deepEqual(openedReceipt(history, { alert: 'a', key: 'k', channel: 'pd', reason: 'resolved', createdAt: 5000 }), { id: 'repeated' });
  assert.equal(openedReceipt(history, { alert: 'a', key: 'k', channel: 'pd', reason: 'first', createdAt: 5000 }), undefined, 'a first notice opens, it builds on nothing');
  assert.equal(openedReceipt(history, { alert: 'a', key: 'k', channel: 'pd', reason: 'digest', createdAt: 5000 }), undefined);
  assert.equal(openedReceipt(history, { alert: 'a', key: 'k', channel: 'pd', reason: 'resolved', createdAt: 500 }), undefined, 'nothing before it');
  assert.equal(openedReceipt([], { alert: 'a', key: 'k', channel: 'pd', reason: 'resolved', createdAt: 5000 }), undefined);
});

test('a repeat or tier gets the receipt of the latest notice its channel accepted for the key in the key\'s current episode (after its last resolvedAt)', () => {
  const history = [
    sent(1000, 'first', 'old-episode'),
    sent(1500, 'repeat', 'old-repeat'),
    sent(2000, 'resolved', 'old-resolve'),
    sent(3000, 'first', 'opened'),
    sent(3500, 'digest', 'digest'),
    sent(3600, 'repeat', 'other-key', { key: 'k2' }),
    sent(3700, 'repeat', 'other-channel', { channel: 'jira' }),
  ];
  const repeat = { alert: 'a', key: 'k', channel: 'pd', reason: 'repeat', createdAt: 4000 };
  assert.deepEqual(openedReceipt(history, repeat, 2000), { id: 'opened' }, 'the episode began at the resolve of 2000');
  assert.deepEqual(openedReceipt([...history, sent(4000, 'repeat', 'repeated')], { ...repeat, reason: 'tier', createdAt: 5000 }, 2000), { id: 'repeated' }, 'the latest of the episode');
  assert.equal(openedReceipt(history.slice(0, 3), repeat, 2000), undefined, 'nothing accepted since the last resolve: the old episode\'s notices are not built on');
  assert.equal(openedReceipt(history.slice(0, 3), repeat, 3000), undefined);
  assert.deepEqual(openedReceipt(history.slice(0, 2), repeat), { id: 'old-repeat' }, 'never resolved: the whole history is the episode');
});

test('the grouped lookup answers as the scan does, also for notices accepted after its first lookup and after the list is replaced', () => {
  const history = [sent(1000, 'first', 'a1'), sent(2000, 'repeat', 'a2'), sent(2500, 'repeat', 'other', { key: 'k2' })];
  let list: SentNotice[] = [...history];
  const lookup = openedLookup(() => list);
  const repeat = { alert: 'a', key: 'k', channel: 'pd', reason: 'repeat', createdAt: 9000 };
  assert.deepEqual(lookup(repeat), openedReceipt(list, repeat));
  assert.deepEqual(lookup(repeat), { id: 'a2' });
  list.push(sent(3000, 'repeat', 'a3'));
  assert.deepEqual(lookup(repeat), { id: 'a3' }, 'a notice accepted in this run is seen');
  assert.equal(lookup({ ...repeat, reason: 'first' }), undefined);
  assert.deepEqual(lookup(repeat, 2500), { id: 'a3' }, 'the episode bound applies');
  list = [sent(500, 'first', 'pruned-list')];
  assert.deepEqual(lookup(repeat), { id: 'pruned-list' }, 'a replaced list is grouped again');
  assert.deepEqual(lookup({ ...repeat, key: 'k2' }), openedReceipt(list, { ...repeat, key: 'k2' }));
});

test('property: the receipt a key keeps (keptReceipt) answers as the scan of every receipt does, whenever it decides; it decides every repeat and tier', async () => {
  const { default: fc } = await import('fast-check');
  const { checkProperty } = await import('../support/property.js');
  const { emptyState } = await import('../../src/model/state.js');
  const { markDelivered } = await import('../../src/state/delivered.js');
  const { keptReceipt } = await import('../../src/outbox/opened.js');
  const reason = fc.constantFrom('first', 'repeat', 'tier-1', 'resolved', 'digest');
  const channel = fc.constantFrom('pd', 'jira');
  const event = fc.oneof(
    fc.record({ kind: fc.constant('send' as const), reason, channel, gap: fc.integer({ min: 0, max: 3 }), empty: fc.boolean() }),
    fc.record({ kind: fc.constant('resolve' as const), gap: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('stamp' as const), channel, gap: fc.integer({ min: 0, max: 3 }) }),
  );
  const query = fc.record({ reason: fc.constantFrom('repeat', 'tier-1', 'resolved', 'first', 'digest'), channel, createdAt: fc.integer({ min: 0, max: 120 }), horizon: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }) });
  await checkProperty('keptReceipt equals openedReceipt', fc.property(fc.array(event, { maxLength: 30 }), fc.array(query, { minLength: 1, maxLength: 8 }), (events, queries) => {
    const data = emptyState();
    const key: KeyState = { firstSeen: 0, lastSeen: 0, fired: 0, delivered: {} };
    data.alerts.a = { keys: { k: key } } as unknown as AlertState;
    const stray = new Set<string>();
    let t = 0;
    let n = 0;
    for (const e of events) {
      t += e.gap;
      if (e.kind === 'resolve') key.resolvedAt = t;
      else if (e.kind === 'stamp') {
        // queueNotice's stamp (a resolve dropped for a new notice): no notice behind it.
        key.delivered[e.channel] = Math.max(key.delivered[e.channel] ?? 0, t);
        stray.add(e.channel);
      } else {
        const id = `n${++n}`;
        data.pending.push({ id, alert: 'a', key: 'k', channel: e.channel, reason: e.reason, createdAt: t, title: '', message: '' } as never);
        markDelivered(data, { id, at: t, ...(e.empty ? {} : { receipt: { id: `r${n}` } }) });
        if (e.reason !== 'resolved' && e.reason !== 'digest') stray.delete(e.channel);
      }
    }
    for (const q of queries) {
      const item = { alert: 'a', key: 'k', channel: q.channel, reason: q.reason, createdAt: q.createdAt };
      const kept = keptReceipt(key, item, key.resolvedAt, q.horizon);
      const unpruned = data.sent.filter((s) => q.horizon === undefined || s.at >= q.horizon);
      if (kept !== undefined) assert.deepEqual(kept.receipt, openedReceipt(unpruned, item, key.resolvedAt), JSON.stringify({ q, sent: data.sent, key }));
      else assert.ok(stray.has(q.channel) || q.reason === 'resolved', `undecided without cause: ${JSON.stringify({ q, key })}`);
    }
  }), 300);
});
