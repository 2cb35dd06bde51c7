// Queueing many notices through the indexed queue does exactly what queueing them one by one over the whole pending
// list did: the same resolves taken out (in the same order), the same keys stamped, the same pending list. And notice
// references drawn from a pool of random bytes keep their form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyState, type PendingDelivery, type StateData } from '../../src/model/state.js';
import { newRef, noticeQueue } from '../../src/outbox/enqueue.js';
import { checkProperty, fc } from '../support/property.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');

/** The queueing of one notice as a plain scan of the pending list: the model the index must agree with. */
function modelQueue(data: StateData, item: PendingDelivery, now: number): PendingDelivery[] {
  const dropped: PendingDelivery[] = [];
  if (!item.action && item.channel !== undefined && item.reason !== 'resolved' && item.reason !== 'digest') {
    for (let i = data.pending.length - 1; i >= 0; i--) {
      const p = data.pending[i]!;
      if (p.reason === 'resolved' && !p.action && p.alert === item.alert && p.key === item.key && p.channel === item.channel) dropped.unshift(...data.pending.splice(i, 1));
    }
    const key = dropped.length ? data.alerts[item.alert]?.keys[item.key] : undefined;
    if (key) key.delivered[item.channel] = Math.max(key.delivered[item.channel] ?? 0, now);
  }
  data.pending.push(item);
  return dropped;
}

const itemArb = (id: string) =>
  fc.record({
    alert: fc.constantFrom('a', 'b'),
    key: fc.constantFrom('x', 'y', 'a\u0000x'),
    channel: fc.constantFrom('c1', 'c2', undefined),
    reason: fc.constantFrom('first', 'repeat', 'resolved', 'digest', 'tier-2'),
    action: fc.boolean(),
  }).map(({ alert, key, channel, reason, action }): PendingDelivery => ({
    id,
    alert,
    key,
    ...(channel !== undefined && !action ? { channel } : {}),
    ...(action ? { action: { source: 'thehive', name: 'tag', args: {} } } : {}),
    reason,
    title: '',
    message: '',
    createdAt: NOW,
    attempts: 0,
  }));

function stateWith(pending: PendingDelivery[]): StateData {
  const data = emptyState();
  data.alerts.a = { keys: { x: { firstSeen: NOW, lastSeen: NOW, fired: 1, delivered: { c1: NOW - 5 } } } } as never;
  data.pending = structuredClone(pending);
  return data;
}

test('the indexed notice queue takes out and stamps exactly what a scan of the pending list would', async () => {
  await checkProperty(
    'noticeQueue agrees with a scan of the pending list',
    fc.property(
      fc.array(fc.nat(), { maxLength: 12 }).chain((a) => fc.tuple(...a.map((_, i) => itemArb(`p${i}`)))),
      fc.array(fc.nat(), { maxLength: 12 }).chain((a) => fc.tuple(...a.map((_, i) => itemArb(`f${i}`)))),
      (pending, fresh) => {
        const indexed = stateWith(pending);
        const model = stateWith(pending);
        const queue = noticeQueue(indexed);
        fresh.forEach((item, i) => {
          const got = queue(structuredClone(item), NOW + i);
          const want = modelQueue(model, structuredClone(item), NOW + i);
          assert.deepEqual(got.map((p) => p.id), want.map((p) => p.id), `notice ${i}`);
        });
        assert.deepEqual(indexed, model);
      },
    ),
    300,
  );
});

test('notice references drawn from the pooled random bytes are 8 characters of [A-Za-z0-9_-] and do not repeat', () => {
  const refs = Array.from({ length: 2_000 }, () => newRef());
  for (const ref of refs) assert.match(ref, /^[A-Za-z0-9_-]{8}$/);
  assert.equal(new Set(refs).size, refs.length);
});
