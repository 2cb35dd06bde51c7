import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PendingDelivery } from '../../src/model/state.js';
import { FileStateStore } from '../../src/state/fileStore.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');

function notice(id: string): PendingDelivery {
  return { id, alert: 'hive-sla', key: '~1', channel: 'soc-slack', reason: 'first', title: 't', message: 'm', createdAt: NOW, attempts: 0 };
}

function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-store-'));
  return { file: join(dir, 'state.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a holder whose fencing token is no longer the newest may not write the state', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const first = await store.begin();
    await first.release();
    const stalled = await store.begin();
    assert.equal(stalled.fencingToken, first.fencingToken + 1, 'each holder takes the next token');
    // Another run took the lock over while this one stalled past the lock's staleness.
    writeFileSync(`${file}.fence`, String(stalled.fencingToken + 1));
    stalled.data.silences.push({ id: 's', alert: '*', createdAt: NOW, endsAt: NOW + 1, comment: 'c', author: 'a' });
    await assert.rejects(stalled.commit(), /another run took the state over meanwhile \(fencing token \d+ > \d+\); state not written/);
    await stalled.release();
  } finally {
    cleanup();
  }
});

test('a delivery journalled before a kill is folded into the state by the next holder, with the action it called for', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const killed = await store.begin();
    killed.data.alerts['hive-sla'] = { keys: { '~1': { firstSeen: NOW, lastSeen: NOW, lastFired: NOW, fired: 1, delivered: {} } } };
    killed.data.pending.push(notice('n1'), notice('n2'));
    await killed.commit();
    const tag: PendingDelivery = { id: 'a1', alert: 'hive-sla', key: '~1', action: { source: 'thehive', name: 'tag', args: { tags: ['notified:first'] } }, reason: 'thehive.tag', title: '', message: '', createdAt: NOW, attempts: 0 };
    killed.journal({ id: 'n1', at: NOW + 5, receipt: { id: '42', chat: '-100' }, then: tag });
    // Killed here: no commit; the lock is released as a takeover would free it.
    await killed.release();

    const next = await store.begin();
    assert.deepEqual(next.data.pending.map((p) => p.id), ['n2', 'a1'], 'n1 was accepted: only n2 is still pending, and the tag write is queued');
    assert.deepEqual(next.data.sent.map((s) => [s.id, s.receipt.id]), [['n1', '42']]);
    assert.equal(next.data.alerts['hive-sla']!.keys['~1']!.delivered['soc-slack'], NOW + 5);
    await next.release();
    const peeked = await store.peek();
    assert.deepEqual(peeked.data.pending.map((p) => p.id), ['n2', 'a1'], 'the replay was written before anything else');
  } finally {
    cleanup();
  }
});
