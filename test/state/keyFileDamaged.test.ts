import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { KeyState } from '../../src/model/state.js';
import { FileStateStore } from '../../src/state/fileStore.js';
import { unloadedKeySummary } from '../../src/state/keyHistory.js';
import { lateSetAside } from '../../src/state/setAside.js';
import { plainMap } from '../../src/util/plainMap.js';

// A key line damaged on disk (its tab lost) in an alert a run reads only a few keys of: those keys are found by
// searching the key file's text, which passes over the damaged line. When the commit then rewrites the alert's lines
// whole (compaction) or drops them, the damaged line is set aside and kept in <state>.set-aside, never lost unreported,
// and the new header counts only the keys that can be read.

const NOW = Date.parse('2026-11-25T10:00:00Z');
const DAY = 86_400_000;
const key = (i: number): KeyState => ({ firstSeen: NOW - DAY, lastSeen: NOW - DAY + i, lastFired: NOW - DAY, resolvedAt: NOW - DAY + 1, fired: 1, delivered: plainMap() });

/** A state with 200 keys of `users` whose line of u3 has lost its first tab; returns the damaged line. */
async function damaged(file: string): Promise<string> {
  const store = new FileStateStore(file, 1_000);
  const seed = await store.begin();
  const keys = plainMap<KeyState>();
  for (let i = 0; i < 200; i++) keys[`u${i}`] = key(i);
  seed.data.alerts.users = { lastRunAt: NOW, keys };
  seed.data.alerts.other = { lastRunAt: NOW, keys: Object.assign(plainMap<KeyState>(), { o: key(0) }) };
  await seed.commit();
  await seed.release();
  const keyFile = join(dirname(file), JSON.parse(readFileSync(file, 'utf8')).keyFile);
  const text = readFileSync(keyFile, 'utf8');
  const line = `"u3"\t${NOW - DAY + 3}\t`;
  assert.ok(text.includes(line));
  writeFileSync(keyFile, text.replace(line, `"u3" ${NOW - DAY + 3}\t`));
  return text.split('\n').find((l) => l.startsWith('"u3"'))!.replace('\t', ' ');
}

/** The values kept in <state>.set-aside. */
function keptAside(file: string): unknown[] {
  return existsSync(`${file}.set-aside`) ? readFileSync(`${file}.set-aside`, 'utf8').trim().split('\n').map((line) => JSON.parse(line).value) : [];
}

/** Runs `check` on a fresh state folder holding the damaged state: its file, the damaged line, a store, and how many items were set aside before. */
async function withDamagedState(check: (file: string, line: string, store: FileStateStore, from: number) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-damaged-'));
  const file = join(dir, 'state.json');
  try {
    const line = await damaged(file);
    await check(file, line, new FileStateStore(file, 1_000), lateSetAside().length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const how of ['compacted', 'dropped', 'replaced'] as const) {
  test(`a damaged key line of an alert whose few keys a run read is set aside and kept when the commit ${how} its lines`, () =>
    withDamagedState(async (file, line, store, from) => {
      const tx = await store.begin();
      const keys = tx.data.alerts.users!.keys;
      // One key read and changed, found by searching (none indexed); a long title outgrows the key file: compaction.
      keys.u7!.lastTitle = 'x'.repeat(300_000);
      if (how === 'dropped') delete tx.data.alerts.users;
      if (how === 'replaced') tx.data.alerts.users!.keys = Object.assign(plainMap<KeyState>(), { fresh: key(1) });
      await tx.commit();
      await tx.release();
      assert.deepEqual(lateSetAside(from).map((item) => item.value), [line], 'the run reports the damaged line');
      assert.deepEqual(keptAside(file), [line], 'and it is in the set-aside file the warning names');
      const next = await store.begin();
      if (how === 'compacted') {
        assert.equal(Object.keys(next.data.alerts.users!.keys).length, 199);
        assert.equal(unloadedKeySummary((await store.peek()).data.alerts.users!)!.count, 199, 'the header counts the keys that can be read');
        assert.equal(next.data.alerts.users!.keys.u7!.lastTitle!.length, 300_000);
      }
      await next.release();
    }));
}

test('a damaged line of the very key a run reads (a small change, no compaction) is reported by that run and set aside, not passed over for an older line', () =>
  withDamagedState(async (file, line, store, from) => {
    const tx = await store.begin();
    // The damaged key itself is read: the search finds its line unreadable and the index sets it aside, as before any search.
    assert.equal(tx.data.alerts.users!.keys.u3, undefined);
    tx.data.alerts.users!.keys.u8!.fired = 2;
    await tx.commit();
    await tx.release();
    assert.deepEqual(lateSetAside(from).map((item) => item.value), [line], 'the run that read the key reports its damaged line');
    assert.deepEqual(keptAside(file), [line]);
    const next = await store.begin();
    assert.equal(next.data.alerts.users!.keys.u8!.fired, 2);
    await next.release();
  }));
