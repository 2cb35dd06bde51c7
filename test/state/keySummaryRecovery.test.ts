import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileStateStore } from '../../src/state/fileStore.js';
import type { KeyState, StateData } from '../../src/model/state.js';
import { KEY_FILE_MAGIC } from '../../src/state/keyFile.js';
import { KeyStore, summariseKeys, unloadedKeySummary, type NamedText } from '../../src/state/keyHistory.js';
import { followedKeys, keyTableOf } from '../../src/state/keyTable.js';

// The summaries of a key file's headers when a file of changes is lost or cut short: a later file may hold a key's
// line (acknowledged, or firing) that no remaining header lists, so the summaries are made again from the keys.

const T = 1_780_000_000_000;
const key = (i: number, extra: Partial<KeyState> = {}): KeyState => ({ firstSeen: T, lastSeen: T + i, fired: 1, lastFired: T + i, delivered: { tg: T + i }, ...extra }) as KeyState;

function files() {
  const written = new Map<string, string>();
  const write = (text: string) => {
    const name = `k${written.size + 1}`;
    written.set(name, text);
    return name;
  };
  const last = (): NamedText => {
    const name = `k${written.size}`;
    return { name, text: written.get(name)! };
  };
  return { write, last };
}

const data = (): StateData => ({ alerts: { a: {} }, pending: [] }) as unknown as StateData;

/** Key file A (u0..u49), D2 (u1 acknowledged), D3 (u1 seen again, still acknowledged), as runs write them. */
function history() {
  const f = files();
  const keys: Record<string, KeyState> = {};
  for (let i = 0; i < 50; i++) keys[`u${i}`] = key(i);
  new KeyStore().commit({ alerts: { a: { keys } }, pending: [] } as unknown as StateData, f.write);
  const base = f.last();
  let store = new KeyStore(base);
  let d = data();
  store.attach(d);
  d.alerts.a!.keys.u1!.acknowledged = { by: 'alice', at: T + 100 };
  store.commit(d, f.write);
  const d2 = f.last();
  store = new KeyStore(base, [d2]);
  d = data();
  store.attach(d);
  d.alerts.a!.keys.u1!.lastSeen = T + 200;
  store.commit(d, f.write);
  return { base, d2, d3: f.last(), f };
}

for (const [what, read] of [
  ['lost', (h: ReturnType<typeof history>) => new KeyStore(h.base, [h.d3], true)],
  ['cut short', (h: ReturnType<typeof history>) => new KeyStore(h.base, [{ name: h.d2.name, text: h.d2.text.slice(0, h.d2.text.length - 5) }, h.d3])],
] as const) {
  test(`a file of changes ${what}: a key acknowledged in it and written again later is still followed, and the compaction writes the exact summary`, () => {
    const h = history();
    const store = read(h);
    const d = data();
    store.attach(d);
    const table = keyTableOf(d.alerts.a!.keys)!;
    assert.ok(d.alerts.a!.keys.u1!.acknowledged, 'the later line holds the acknowledgement');
    assert.deepEqual(table.summary.attention, ['u1'], 'the summary lists the acknowledged key');
    assert.ok(
      followedKeys(d.alerts.a!.keys, false).some(([name]) => name === 'u1'),
      'the absent-key walk looks at it (and so drops the acknowledgement once it stops matching)',
    );
    const exact = summariseKeys(Object.fromEntries(Object.entries(d.alerts.a!.keys)));
    assert.equal(exact.firing.length, 50);
    assert.deepEqual(table.summary, exact, 'the whole summary is made from the keys');
    // The next commit compacts, with the exact summary in the new key file's header.
    const old = store.commit(d, h.f.write);
    assert.ok(old.length > 0, 'a new key file replaces the files read');
    const next = new KeyStore(h.f.last());
    const after = data();
    next.attach(after);
    assert.deepEqual(unloadedKeySummary(after.alerts.a!), exact);
  });
}

test('summaries across A, U and U sections in both header formats (older U headers carried full lists): as written while all files are there, made from the keys when one was lost', () => {
  const header = (kind: string, summary: object, body: string) => `${kind}\t"a"\t${JSON.stringify(summary)}\t${body.length}\n${body}`;
  const line = (name: string, value: KeyState) => `${JSON.stringify(name)}\t${value.lastSeen}\t${JSON.stringify(value)}\n`;
  const plain = (i: number): KeyState => ({ firstSeen: T, lastSeen: T + i }) as KeyState;
  const acked = (i: number): KeyState => ({ ...plain(i), acknowledged: { by: 'bob', at: T } }) as KeyState;
  const base = `${KEY_FILE_MAGIC}\n${header('A', { count: 3, oldestSeen: T + 1, attention: ['k1'], firing: ['k2'] }, line('k1', acked(1)) + line('k2', key(2)) + line('k3', plain(3)))}`;
  // An older U header: its lists are the whole lists after it (k3 acknowledged).
  const older = `${KEY_FILE_MAGIC}\n${header('U', { count: 3, oldestSeen: T + 1, attention: ['k1', 'k3'], firing: ['k2'] }, line('k3', acked(3)))}`;
  // A U header of changes: k1 no longer acknowledged, k4 added and firing, k2 resolved, k3 seen again (still acknowledged: no list changes).
  const changes = `${KEY_FILE_MAGIC}\n${header('U', { count: 4, oldestSeen: T + 1, attention: [], attentionGone: ['k1'], firing: ['k4'], firingGone: ['k2'] }, line('k1', plain(1)) + line('k2', key(2, { resolvedAt: T + 9 })) + line('k3', { ...acked(3), lastSeen: T + 5 }) + line('k4', key(4)))}`;
  const exact = { count: 4, oldestSeen: T + 1, attention: ['k3'], firing: ['k4'] };
  const summaryOf = (store: KeyStore) => {
    const d = data();
    store.attach(d);
    return unloadedKeySummary(d.alerts.a!) ?? keyTableOf(d.alerts.a!.keys)!.summary;
  };
  const sorted = (s: { attention: string[]; firing: string[] }) => ({ ...s, attention: [...s.attention].sort(), firing: [...s.firing].sort() });
  const files = [{ name: 'b', text: base }, { name: 'o', text: older }, { name: 'c', text: changes }];
  assert.deepEqual(sorted(summaryOf(new KeyStore(files[0], files.slice(1)))), exact, 'the headers, all files there');
  assert.deepEqual(sorted(summaryOf(new KeyStore(files[0], files.slice(1), true))), exact, 'made from the keys, a file lost');
  // Without the file of changes: the older header's full lists alone, against the keys (k1, k3 acknowledged; k2 firing).
  assert.deepEqual(sorted(summaryOf(new KeyStore(files[0], [files[1]!], true))), { count: 3, oldestSeen: T + 1, attention: ['k1', 'k3'], firing: ['k2'] });
  // Without the older file: no remaining header lists k3, but the later file's line of it is acknowledged.
  assert.deepEqual(sorted(summaryOf(new KeyStore(files[0], [files[2]!], true))), exact);
});

test('the file store: with the file of changes that acknowledged a key lost, a later run still follows the key, and the new key file lists it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-keysummary-'));
  const file = join(dir, 'state.json');
  try {
    const store = new FileStateStore(file, 1_000);
    const run = async (change: (keys: Record<string, KeyState>) => void) => {
      const tx = await store.begin();
      tx.data.alerts.a ??= { keys: {} };
      change(tx.data.alerts.a.keys);
      await tx.commit();
      await tx.release();
    };
    await run((keys) => {
      for (let i = 0; i < 50; i++) keys[`u${i}`] = key(i);
    });
    await run((keys) => (keys.u1!.acknowledged = { by: 'alice', at: T + 100 }));
    await run((keys) => (keys.u1!.lastSeen = T + 200));
    const head = JSON.parse(readFileSync(file, 'utf8')) as { keyDeltas: string[] };
    assert.equal(head.keyDeltas.length, 2);
    rmSync(join(dir, head.keyDeltas[0]!));
    const tx = await store.begin();
    assert.match(tx.warning ?? '', /missing/);
    assert.ok(followedKeys(tx.data.alerts.a!.keys, false).some(([name]) => name === 'u1'), 'the absent-key walk looks at u1');
    await tx.commit();
    await tx.release();
    const { data } = await store.peek();
    assert.deepEqual(unloadedKeySummary(data.alerts.a!)?.attention, ['u1'], 'the new key file lists u1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
