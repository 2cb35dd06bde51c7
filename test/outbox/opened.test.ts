// A resolve, repeat or tier carries the receipt of what its channel opened for the key (a repeat or tier only within
// the key's current episode); a first notice and a digest carry none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SentNotice } from '../../src/model/state.js';
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
