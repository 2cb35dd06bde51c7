import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { PendingDelivery } from '../../src/model/state.js';
import { FileStateStore } from '../../src/state/fileStore.js';
import { unloadedKeySummary } from '../../src/state/keyHistory.js';
import { pruneState } from '../../src/state/prune.js';
import { contentOf } from '../support/content.js';

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
    await killed.journal({ id: 'n1', at: NOW + 5, receipt: { id: '42', chat: '-100' }, then: tag });
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

/** The files of the store's folder whose names start with state.json, sorted. */
function stateFiles(file: string): string[] {
  return readdirSync(dirname(file)).filter((f) => f.startsWith('state.json')).sort();
}

test('keys live in a key file named by state.json: an older single state.json is moved there, and only changed keys are written again', async () => {
  const { file, cleanup } = folder();
  try {
    const key = (seen: number) => ({ firstSeen: seen, lastSeen: seen, lastFired: seen, fired: 1, delivered: { 'soc-slack': seen } });
    // As an older version wrote it: the keys inside state.json.
    const legacy = { version: 1, alerts: { quiet: { lastRunAt: NOW, keys: { alice: key(NOW - 5), bob: key(NOW - 6) } }, busy: { keys: { carol: key(NOW - 7) } } }, pending: [], sent: [], silences: [], sources: {}, cursors: {} };
    writeFileSync(file, JSON.stringify(legacy, null, 2));
    const store = new FileStateStore(file, 1_000);
    const first = await store.begin();
    assert.deepEqual(contentOf(first.data.alerts.quiet!.keys.alice), key(NOW - 5));
    await first.commit();
    await first.release();
    const head = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(typeof head.keyFile, 'string');
    assert.equal(head.alerts.quiet.keys, undefined, 'state.json no longer holds the keys');
    assert.deepEqual(stateFiles(file), ['state.json', 'state.json.fence', head.keyFile].sort());
    const keyText = readFileSync(join(dirname(file), head.keyFile), 'utf8');

    // A run that reads no keys and changes only the windows writes state.json alone.
    const quiet = await store.begin();
    quiet.data.alerts.quiet!.lastRunAt = NOW + 60_000;
    await quiet.commit();
    await quiet.release();
    const after = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(after.keyFile, head.keyFile, 'the same key file');
    assert.equal(after.alerts.quiet.lastRunAt, NOW + 60_000);
    assert.equal(readFileSync(join(dirname(file), head.keyFile), 'utf8'), keyText);

    // A run that changes one alert's keys writes that key alone, in a file of changes state.json names beside the key
    // file, which stays as it was (the other alert's keys are not written again).
    const busy = await store.begin();
    busy.data.alerts.busy!.keys.dave = key(NOW);
    await busy.commit();
    await busy.release();
    const third = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(third.keyFile, head.keyFile);
    assert.equal(readFileSync(join(dirname(file), head.keyFile), 'utf8'), keyText);
    assert.equal(third.keyDeltas.length, 1);
    assert.deepEqual(stateFiles(file), ['state.json', 'state.json.fence', third.keyFile, ...third.keyDeltas].sort(), 'no other key file');
    const delta = readFileSync(join(dirname(file), third.keyDeltas[0]), 'utf8');
    assert.match(delta, /^"dave"\t/m);
    assert.doesNotMatch(delta, /"quiet"|^"carol"\t|"alice"/m, 'only the changed key is written');
    const peeked = (await store.peek()).data;
    assert.deepEqual(Object.keys(peeked.alerts.busy!.keys).sort(), ['carol', 'dave']);
    assert.deepEqual(Object.keys(peeked.alerts.quiet!.keys).sort(), ['alice', 'bob']);
  } finally {
    cleanup();
  }
});

test('a key file written by a run killed before it renamed state.json is ignored and removed; a missing key file is a warning, not a crash', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const tx = await store.begin();
    tx.data.alerts.a = { keys: { k: { firstSeen: NOW, lastSeen: NOW, fired: 0, delivered: {} } } };
    await tx.commit();
    await tx.release();
    const named = JSON.parse(readFileSync(file, 'utf8')).keyFile;
    writeFileSync(join(dirname(file), 'state.json.keys-99.1'), '"a"\t{"count":0,"attention":0,"firing":0,"oldestSeen":0}\t{}\n');
    const next = await store.begin();
    assert.deepEqual(Object.keys(next.data.alerts.a!.keys), ['k'], 'the keys of the key file state.json names');
    assert.ok(!stateFiles(file).includes('state.json.keys-99.1'), 'the orphan is removed');
    await next.release();

    rmSync(join(dirname(file), named));
    const lost = await store.begin();
    assert.match(lost.warning ?? '', /the key file .* named by .* is missing: the alerts' key history starts afresh/);
    assert.deepEqual(contentOf(lost.data.alerts.a!.keys), {});
    await lost.commit();
    await lost.release();
  } finally {
    cleanup();
  }
});

test('pruning reaches keys the run never read: an alert whose oldest key is past prune_after is read and pruned, the others are left unparsed', async () => {
  const { file, cleanup } = folder();
  try {
    const DAY = 86_400_000;
    const key = (seen: number) => ({ firstSeen: seen, lastSeen: seen, fired: 0, delivered: {} });
    const store = new FileStateStore(file, 1_000);
    const tx = await store.begin();
    tx.data.alerts.old = { keys: { stale: key(NOW - 9 * DAY), fresh: key(NOW - DAY) } };
    tx.data.alerts.recent = { keys: { fresh: key(NOW - DAY) } };
    await tx.commit();
    await tx.release();
    const next = await store.begin();
    pruneState(next.data, NOW, 7 * DAY, new Set(['old', 'recent']));
    assert.equal(unloadedKeySummary(next.data.alerts.old!), undefined, 'read, to be pruned');
    assert.deepEqual(unloadedKeySummary(next.data.alerts.recent!)?.count, 1, 'not read: nothing to prune');
    await next.commit();
    await next.release();
    const { data } = await store.peek();
    assert.deepEqual(Object.keys(data.alerts.old!.keys), ['fresh']);
    assert.deepEqual(Object.keys(data.alerts.recent!.keys), ['fresh']);
  } finally {
    cleanup();
  }
});

test('a lost fence file restarts the tokens, yet a new key file never takes the name of one state.json names', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const seed = await store.begin();
    seed.data.alerts.a = { keys: Object.fromEntries(['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => [k, { firstSeen: NOW, lastSeen: NOW, fired: 0, delivered: {} }])) };
    await seed.commit();
    await seed.release();
    // The fence file is lost (restored from a backup, removed by hand): the next holder takes token 1 again.
    rmSync(`${file}.fence`);
    const next = await store.begin();
    next.data.alerts.a!.keys!.k1 = { firstSeen: NOW, lastSeen: NOW + 1, fired: 0, delivered: {} };
    await next.commit();
    await next.release();
    const read = await store.begin();
    assert.deepEqual(Object.keys(read.data.alerts.a!.keys!).sort(), ['k1', 'k2', 'k3', 'k4', 'k5'], 'every key is still there');
    assert.equal(read.data.alerts.a!.keys!.k1!.lastSeen, NOW + 1);
    await read.release();
  } finally {
    cleanup();
  }
});

test('a prune that deletes nothing but finds the oldest key younger than the summary said writes the exact oldest: the next run does not walk the keys again', async () => {
  const { file, cleanup } = folder();
  try {
    const DAY = 86_400_000;
    const key = (seen: number) => ({ firstSeen: seen, lastSeen: seen, fired: 0, delivered: {} });
    const store = new FileStateStore(file, 1_000);
    const tx = await store.begin();
    tx.data.alerts.a = { keys: { once: key(NOW - 9 * DAY), other: key(NOW - DAY) } };
    await tx.commit();
    await tx.release();
    // `once` is seen again: the summary's oldest stays a bound (9 days ago) until a walk makes it exact.
    const seen = await store.begin();
    seen.data.alerts.a!.keys.once = key(NOW - DAY / 2);
    await seen.commit();
    await seen.release();
    const pruning = await store.begin();
    pruneState(pruning.data, NOW, 7 * DAY, new Set(['a']));
    assert.deepEqual(Object.keys(pruning.data.alerts.a!.keys).sort(), ['once', 'other'], 'nothing to delete');
    await pruning.commit();
    await pruning.release();
    const next = await store.begin();
    assert.equal(unloadedKeySummary(next.data.alerts.a!)?.oldestSeen, NOW - DAY, 'the exact oldest was written');
    pruneState(next.data, NOW, 7 * DAY, new Set(['a']));
    assert.notEqual(unloadedKeySummary(next.data.alerts.a!), undefined, 'the next prune reads no key');
    await next.release();
  } finally {
    cleanup();
  }
});

test('a missing file of key changes loses only its changes: the key file and the other files of changes are read, with a warning naming it', async () => {
  const { file, cleanup } = folder();
  try {
    const key = (seen: number) => ({ firstSeen: NOW, lastSeen: seen, fired: 0, delivered: {} });
    const store = new FileStateStore(file, 1_000);
    const seed = await store.begin();
    seed.data.alerts.a = { keys: { k1: key(NOW), k2: key(NOW), k3: key(NOW) } };
    await seed.commit();
    await seed.release();
    for (const [name, seen] of [['k1', NOW + 1], ['k2', NOW + 2]] as const) {
      const tx = await store.begin();
      tx.data.alerts.a!.keys[name] = key(seen);
      await tx.commit();
      await tx.release();
    }
    const head = JSON.parse(readFileSync(file, 'utf8')) as { keyFile: string; keyDeltas: string[] };
    assert.equal(head.keyDeltas.length, 2);
    rmSync(join(dirname(file), head.keyDeltas[0]!));
    const next = await store.begin();
    assert.match(next.warning ?? '', new RegExp(`${head.keyDeltas[0]!.replace(/\./g, '\\.')} named by .* missing`));
    assert.deepEqual(Object.fromEntries(Object.entries(next.data.alerts.a!.keys).map(([k, v]) => [k, v.lastSeen])), { k1: NOW, k2: NOW + 2, k3: NOW }, 'only the lost change is lost');
    await next.commit();
    await next.release();
    const after = JSON.parse(readFileSync(file, 'utf8')) as { keyFile: string; keyDeltas?: string[] };
    // The headers no longer say what the lost file changed of the summaries: the commit writes one key file of the keys read.
    assert.notEqual(after.keyFile, head.keyFile, 'a new key file, with summaries made from the keys');
    assert.equal(after.keyDeltas, undefined, 'the missing file (and the other files of changes) is no longer named');
    for (const name of [head.keyFile, head.keyDeltas[1]!]) assert.equal(existsSync(join(dirname(file), name)), false, `${name} is removed`);
    const { data, warning } = await store.peek();
    assert.equal(warning, undefined);
    assert.deepEqual(Object.keys(data.alerts.a!.keys).sort(), ['k1', 'k2', 'k3']);
  } finally {
    cleanup();
  }
});

test('a damaged file of key changes is left behind at the next commit: the keys read are written into a new key file, and later reads have no problem', async () => {
  const { file, cleanup } = folder();
  try {
    const key = (seen: number) => ({ firstSeen: NOW, lastSeen: seen, fired: 0, delivered: {} });
    const store = new FileStateStore(file, 1_000);
    const seed = await store.begin();
    seed.data.alerts.a = { keys: { k1: key(NOW), k2: key(NOW), k3: key(NOW) } };
    await seed.commit();
    await seed.release();
    for (const [name, seen] of [['k1', NOW + 1], ['k2', NOW + 2]] as const) {
      const tx = await store.begin();
      tx.data.alerts.a!.keys[name] = key(seen);
      await tx.commit();
      await tx.release();
    }
    const head = JSON.parse(readFileSync(file, 'utf8')) as { keyFile: string; keyDeltas: string[] };
    const damaged = join(dirname(file), head.keyDeltas[0]!);
    writeFileSync(damaged, `${readFileSync(damaged, 'utf8')}not a section\n`);
    const next = await store.begin();
    assert.match(next.warning ?? '', /cannot be read/);
    next.data.alerts.a!.keys.k3 = key(NOW + 3);
    await next.commit();
    await next.release();
    const { data, warning } = await store.peek();
    assert.equal(warning, undefined, 'no problem is read again');
    assert.deepEqual(Object.fromEntries(Object.entries(data.alerts.a!.keys).map(([k, v]) => [k, v.lastSeen])), { k1: NOW + 1, k2: NOW + 2, k3: NOW + 3 });
  } finally {
    cleanup();
  }
});
