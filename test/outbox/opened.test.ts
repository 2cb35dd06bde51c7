// A resolved notice carries the receipt of what its channel opened for the key, and nothing else does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SentNotice } from '../../src/model/state.js';
import { openedReceipt } from '../../src/outbox/opened.js';

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
  assert.equal(openedReceipt(history, { alert: 'a', key: 'k', channel: 'pd', reason: 'repeat', createdAt: 5000 }), undefined, 'only a resolve');
  assert.equal(openedReceipt(history, { alert: 'a', key: 'k', channel: 'pd', reason: 'resolved', createdAt: 500 }), undefined, 'nothing before it');
  assert.equal(openedReceipt([], { alert: 'a', key: 'k', channel: 'pd', reason: 'resolved', createdAt: 5000 }), undefined);
});
