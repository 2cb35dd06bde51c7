// A send keeps its slot until its acceptance is recorded durably (the journal's promise settles): with every slot
// held by accepted sends whose lines are not yet synced, no further send starts, so a kill repeats at most the
// sends in flight. A journal that fails still leaves the send accepted (the state's commit records it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PendingDelivery } from '../../src/model/state.js';
import { deliverAll } from '../../src/outbox/deliver.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const limits = { concurrency: 2, deadline: 20_000, attempt_timeout: 5_000, retries: 0, max_pending_age: 3_600_000 };

function items(n: number): PendingDelivery[] {
  return Array.from({ length: n }, (_, i) => ({ id: `n${i}`, alert: 'a', key: `k${i}`, channel: 'soc-slack', reason: 'first', title: 't', message: 'm', createdAt: NOW, attempts: 0 }));
}

test('no send starts while the slots are held by accepted sends whose journal lines are not synced yet', async () => {
  const started: string[] = [];
  const syncs: (() => void)[] = [];
  const delivering = deliverAll(
    items(5),
    () => async (item) => {
      started.push(item.id);
    },
    limits,
    undefined,
    () => new Promise<void>((resolve) => syncs.push(resolve)),
  );
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(started, ['n0', 'n1'], 'two slots: two sends, accepted, waiting for their lines to be synced');
  syncs.shift()!();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(started, ['n0', 'n1', 'n2'], 'one line synced: one slot free, one more send');
  for (let i = 0; i < 10 && started.length < 5; i++) {
    syncs.splice(0).forEach((sync) => sync());
    await new Promise((r) => setTimeout(r, 20));
  }
  syncs.splice(0).forEach((sync) => sync());
  const outcomes = await delivering;
  assert.deepEqual(outcomes.map((o) => [o.id, o.ok]), items(5).map((i) => [i.id, true]));
});

test('a send whose journal line could not be synced is still reported accepted, never as a failure to send again', async () => {
  const outcomes = await deliverAll(items(3), () => async () => ({ id: 'r' }), limits, undefined, () => Promise.reject(new Error('EIO')));
  assert.deepEqual(outcomes.map((o) => [o.id, o.ok]), [['n0', true], ['n1', true], ['n2', true]]);
});
