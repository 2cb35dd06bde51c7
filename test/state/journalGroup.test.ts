// The delivery journal's group commit: lines appended while a sync is under way are written and synced together,
// each append resolves only once its line is on disk, and a journal that cannot be written never resolves one.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DeliveryJournal } from '../../src/state/journal.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');

test('appends made together are synced in one batch; each resolves with its line in the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-journal-'));
  try {
    const file = join(dir, 'state.json.journal');
    const journal = new DeliveryJournal(file);
    const ids = Array.from({ length: 50 }, (_, i) => `n${i}`);
    const done: string[] = [];
    await Promise.all(ids.map((id) => journal.append({ id, at: NOW }).then(() => {
      // Resolved only once its own line is in the file.
      assert.ok(readFileSync(file, 'utf8').includes(`"id":"${id}"`), id);
      done.push(id);
    })));
    assert.equal(done.length, ids.length);
    assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id), ids, 'every line once, in order');
    assert.ok(journal.syncs >= 1 && journal.syncs <= 2, `the first line is synced alone at most, the others together (${journal.syncs} syncs)`);
    const before = journal.syncs;
    await journal.append({ id: 'later', at: NOW });
    assert.equal(journal.syncs, before + 1, 'a later append is a batch of its own');
    await journal.settled();
    journal.clear();
    assert.ok(!existsSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a journal that cannot be written rejects the lines of the batch and every later one', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
  const journal = new DeliveryJournal('/dev/full');
  const results = await Promise.allSettled([journal.append({ id: 'a', at: NOW }), journal.append({ id: 'b', at: NOW })]);
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    assert.match(String((result as PromiseRejectedResult).reason), /the delivery journal \/dev\/full could not be written and synced: .*ENOSPC/);
  }
  await assert.rejects(journal.append({ id: 'c', at: NOW }), /could not be written and synced/, 'no later line is taken for durable');
  assert.equal(journal.syncs, 0);
});

test('a line appended the moment an earlier one is synced (before the flusher has stopped) is still written and synced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-journal-'));
  try {
    const file = join(dir, 'state.json.journal');
    const journal = new DeliveryJournal(file);
    // What a sender that answers at once does: the next accepted delivery is journalled straight from the last one's sync.
    const chain = journal.append({ id: 'a', at: NOW }).then(() => journal.append({ id: 'b', at: NOW }));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('never synced'), 3_000)));
    assert.equal(await Promise.race([chain.then(() => 'synced'), timedOut]), 'synced');
    clearTimeout(timer);
    await journal.settled();
    assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id), ['a', 'b']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
