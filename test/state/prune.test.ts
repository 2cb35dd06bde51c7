import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pruneState } from '../../src/state/prune.js';
import { emptyState } from '../../src/model/state.js';

const DAY = 86_400_000;

test('keys unseen for longer than prune_after are forgotten, unless pending; undefined idle alerts are forgotten, defined ones never', () => {
  const now = 100 * DAY;
  const key = (lastSeen: number) => ({ firstSeen: 0, lastSeen, lastFired: lastSeen, fired: 1, delivered: {} });
  const data = emptyState();
  data.alerts.a = { lastRunAt: now, keys: { fresh: key(now - DAY), old: key(now - 8 * DAY), oldPending: key(now - 9 * DAY) } };
  data.alerts.gone = { lastRunAt: now - 30 * DAY, keys: {} };
  data.alerts.neverRan = { lastError: 'cannot reach', keys: {} };
  data.alerts.failingLong = { window: { from: 0, to: now - 20 * DAY }, lastRunAt: now - 20 * DAY, lastError: 'cannot reach', keys: {} };
  data.pending.push({ id: '1', alert: 'a', key: 'oldPending', channel: 'c', reason: 'first', title: '', message: '', createdAt: 0, attempts: 1 });
  pruneState(data, now, 7 * DAY, new Set(['a', 'failingLong']));
  assert.deepEqual(Object.keys(data.alerts.a!.keys).sort(), ['fresh', 'oldPending']);
  assert.deepEqual(Object.keys(data.alerts).sort(), ['a', 'failingLong'], 'a defined alert keeps its window however long it fails');
});

test('receipts of notices sent longer ago than prune_after are forgotten: the state does not grow with every delivery', () => {
  const now = 100 * DAY;
  const data = emptyState();
  const sent = (id: string, at: number) => ({ id, alert: 'a', key: 'k', channel: 'team', reason: 'first', at, receipt: { id: id, chat: '-100' } });
  data.sent.push(sent('old', now - 8 * DAY), sent('recent', now - DAY));
  pruneState(data, now, 7 * DAY, new Set(['a']));
  assert.deepEqual(data.sent.map((s) => s.id), ['recent']);
});
