import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StateConfig } from '../../src/model/config.js';
import { assignLeases, partitionOf, PARTITIONS } from '../../src/model/partition.js';
import { emptyState, type StateData } from '../../src/model/state.js';
import { StateClient } from '../../src/state/cluster/client.js';
import { STATE_INDEX_BODY, toDocs } from '../../src/state/cluster/docs.js';
import { acquireLease } from '../../src/state/cluster/lease.js';
import { changeState, type StateTransaction } from '../../src/state/store.js';
import { clusterStores } from '../support/clusterStores.js';

/** Fresh state indices, and one host's store on one (its own local file, i.e. its own deployment). */
const { esUrl, freshIndex, store: host } = clusterStores('parts');

async function docs(index: string): Promise<Map<string, { _seq_no: number; _source: any }>> {
  await fetch(`${esUrl}/${index}/_refresh`, { method: 'POST' });
  const answer = (await (await fetch(`${esUrl}/${index}/_search?size=10000&seq_no_primary_term=true`)).json()) as { hits: { hits: { _id: string; _seq_no: number; _source: any }[] } };
  return new Map(answer.hits.hits.map((h) => [h._id, h]));
}

async function putDoc(index: string, id: string, body: unknown): Promise<void> {
  const answer = await fetch(`${esUrl}/${index}/_doc/${encodeURIComponent(id)}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(answer.status < 300, `PUT ${id}: ${answer.status} ${await answer.text()}`);
}

/** Alert names that fall in every partition at least once (the i-th name is in partition i mod 64 for the first 64). */
function alertsCovering(count: number): string[] {
  const names: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; names.length < count; i++) {
    const name = `alert-${i}`;
    if (seen.size < PARTITIONS && seen.has(partitionOf(name))) continue;
    seen.add(partitionOf(name));
    names.push(name);
  }
  return names;
}

const held = (tx: StateTransaction) => [...tx.ownership!.partitions].sort((a, b) => a - b);

/** Both hosts ran once (their heartbeats are live), every lease given back. */
async function twoLiveHosts() {
  const index = freshIndex();
  const a = host('host-a', index);
  const b = host('host-b', index);
  await (await a.begin()).release();
  await (await b.begin()).release();
  return { index, a, b };
}

test('two hosts beginning at once get disjoint partitions that together cover all 64, and the coordinator once, as the assignment says', async () => {
  const { a, b } = await twoLiveHosts();
  const [txA, txB] = await Promise.all([a.begin(), b.begin()]);
  try {
    const owners = assignLeases(['host-a', 'host-b']);
    const assigned = (h: string) => [...owners].filter(([n, o]) => o === h && n !== 'coordinator').map(([n]) => Number(n)).sort((x, y) => x - y);
    assert.deepEqual(held(txA), assigned('host-a'));
    assert.deepEqual(held(txB), assigned('host-b'));
    assert.ok(held(txA).length > 0 && held(txB).length > 0, 'each host has a share');
    assert.equal(new Set([...held(txA), ...held(txB)]).size, PARTITIONS, 'together all 64, none twice');
    assert.equal(Number(txA.ownership!.coordinator) + Number(txB.ownership!.coordinator), 1, 'one coordinator');
  } finally {
    await txA.release();
    await txB.release();
  }
});

test('a host alone holds every partition and the coordinator; its heartbeat and the leases are what peek shows', async () => {
  const index = freshIndex();
  const a = host('host-a', index);
  const tx = await a.begin();
  assert.equal(tx.ownership!.partitions.size, PARTITIONS);
  assert.equal(tx.ownership!.coordinator, true);
  tx.data.lastRun = { startedAt: 1, finishedAt: 2, exitCode: 0, lastSuccessAt: 2 };
  await tx.commit();
  await tx.release();
  const seen = await a.peek();
  assert.deepEqual(seen.cluster!.hosts.map((h) => h.id), ['host-a']);
  assert.deepEqual(seen.cluster!.hosts[0]!.lastRun?.partitions.length, PARTITIONS);
  assert.equal(seen.cluster!.leases.length, PARTITIONS + 1);
  assert.ok(seen.cluster!.leases.every((l) => l.released), 'every lease given back at the end');
  assert.equal(seen.data.lastRun?.finishedAt, 2, 'the last run is in the host document');
  const stored = await docs(index);
  assert.equal(stored.get('meta:state')?._source.body.lastRun, undefined, 'not in meta:state');
});

test('an expired lease its holder did not give back is taken over by another host with token + 1, and recorded as a takeover', async () => {
  const { index, a } = await twoLiveHosts();
  const owners = assignLeases(['host-a', 'host-b']);
  const theirs = [...owners].find(([n, o]) => o === 'host-b' && n !== 'coordinator')![0];
  const before = (await docs(index)).get(`part:${theirs}`)!._source;
  // host-b died mid-run: its lease not released, and run out for longer than max_clock_skew.
  await putDoc(index, `part:${theirs}`, { ...before, holder: 'host-b@0badc0de/1/dead', released: false, until: Date.now() - 5_000 });
  const tx = await a.begin();
  try {
    assert.ok(tx.ownership!.partitions.has(Number(theirs)), 'taken over');
    assert.deepEqual(tx.ownership!.took, [{ lease: theirs, from: 'host-b' }]);
    assert.equal(held(tx).length, [...owners].filter(([n, o]) => o === 'host-a' && n !== 'coordinator').length + 1, 'its own share and the one taken over');
  } finally {
    await tx.release();
  }
  const after = await docs(index);
  assert.equal(after.get(`part:${theirs}`)!._source.token, before.token + 1);
  assert.deepEqual(after.get('host:host-a')!._source.body.takeovers.map((t: { lease: string; from: string }) => [t.lease, t.from]), [[theirs, 'host-b']]);
});

test('a released lease of a live assignee is not taken by another host', async () => {
  const { a } = await twoLiveHosts();
  const owners = assignLeases(['host-a', 'host-b']);
  const tx = await a.begin();
  try {
    for (const p of tx.ownership!.partitions) assert.equal(owners.get(String(p)), 'host-a', `partition ${p} is host-a's`);
  } finally {
    await tx.release();
  }
});

test('a stale holder (paused past its lease, taken over meanwhile) writes none of its partitions\' documents, and says so with the fencing tokens', { timeout: 30_000 }, async () => {
  const index = freshIndex();
  const a = host('host-a', index, { lease: 3_000, skew: 500 });
  const names = alertsCovering(70);
  const first = await a.begin();
  for (const name of names) first.data.alerts[name] = { window: { from: 1, to: 2 }, keys: {} };
  await first.commit();
  await first.release();
  const before = await docs(index);

  const stale = await a.begin();
  // As if the process were stopped: no renewal, and the lease runs out.
  (stale as unknown as { parts: { holding: { renewal: { stop(): void } } } }).parts.holding.renewal.stop();
  await new Promise((resolve) => setTimeout(resolve, 3_800));
  const b = host('host-b', index, { lease: 3_000, skew: 500 });
  const newer = await b.begin();
  assert.equal(newer.ownership!.partitions.size, PARTITIONS, 'host-b took every expired lease');
  await newer.release();

  for (const name of names) stale.data.alerts[name] = { window: { from: 2, to: 3 }, keys: { k: { firstSeen: 2, lastSeen: 3, fired: 1, delivered: {} } } };
  stale.data.pending.push({ id: 'late', alert: names[0]!, key: 'k', channel: 'mail', reason: 'first', title: 't', message: 'm', createdAt: 3, attempts: 0 });
  try {
    await assert.rejects(stale.commit(), /another host \(host-b@.*\) took over partition .* meanwhile \(fencing token \d+ > \d+\).*nothing of those partitions was written/);
  } finally {
    await stale.release();
  }
  const afterwards = await docs(index);
  assert.equal(afterwards.has('pending:late'), false, 'its pending item was not written');
  for (const name of names) assert.equal(afterwards.get(`alert:${name}`)?._seq_no, before.get(`alert:${name}`)?._seq_no, `alert:${name} untouched`);
  for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(afterwards.get(`part:${p}`)!._source.body.windows, before.get(`part:${p}`)!._source.body.windows, `part:${p}'s windows untouched`);
});

test('the layout move from today\'s documents keeps every window and key, marks the partitions, and leaves lease:run to an older version as held', { timeout: 30_000 }, async () => {
  const index = freshIndex();
  // Today's index: the mapping without partition/last_seen, the documents as toDocs splits a saved state, lease:run released.
  const { partition: _p, last_seen: _l, ...oldProperties } = STATE_INDEX_BODY.mappings.properties;
  const created = await fetch(`${esUrl}/${index}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...STATE_INDEX_BODY, mappings: { ...STATE_INDEX_BODY.mappings, properties: oldProperties } }) });
  assert.equal(created.status, 200);
  const saved: StateData = emptyState();
  const names = alertsCovering(80);
  names.forEach((name, i) => {
    saved.alerts[name] = { window: { from: i, to: i + 60_000 }, lastRunAt: i + 60_000, ...(i % 3 ? {} : { catchups: [i] }), keys: { [`k${i}`]: { firstSeen: i, lastSeen: i + 1, fired: 2, delivered: { mail: i + 1 } } }, rule: { count: i } };
  });
  saved.pending.push({ id: 'p1', alert: names[5]!, key: 'k5', channel: 'mail', reason: 'first', title: 't', message: 'm', createdAt: 5, attempts: 1 });
  saved.sent.push({ id: 's1', alert: names[6]!, key: 'k6', channel: 'mail', reason: 'first', at: 6, receipt: { id: 'r1' } } as StateData['sent'][number]);
  saved.silences.push({ id: 'x', alert: '*', createdAt: 1, endsAt: Date.now() + 86_400_000, comment: 'c', author: 'me' });
  saved.cursors.telegram = { offset: 7 };
  saved.lastRun = { startedAt: 1, finishedAt: 2, exitCode: 0 };
  for (const [id, doc] of toDocs(saved)) await putDoc(index, id, { kind: doc.kind, id, body: doc.body, updated_at: 1 });
  await putDoc(index, 'lease:run', { kind: 'lease', id: 'lease:run', holder: 'host-old@0badc0de/1/run', token: 41, until: Date.now() - 1, released: true, updated_at: 1 });

  const tx = await host('host-a', index).begin();
  try {
    for (const name of names) {
      const { window, lastRunAt, catchups, keys, rule } = tx.data.alerts[name]!;
      assert.deepEqual({ window, lastRunAt, catchups, keys: JSON.parse(JSON.stringify(keys)), rule }, { window: saved.alerts[name]!.window, lastRunAt: saved.alerts[name]!.lastRunAt, catchups: saved.alerts[name]!.catchups, keys: saved.alerts[name]!.keys, rule: saved.alerts[name]!.rule }, name);
    }
    assert.deepEqual(tx.data.pending.map((p) => p.id), ['p1']);
    assert.deepEqual(tx.data.sent.map((s) => s.id), ['s1']);
    assert.deepEqual(tx.data.silences.map((s) => s.id), ['x']);
    assert.deepEqual(JSON.parse(JSON.stringify(tx.data.cursors)), { telegram: { offset: 7 } });
  } finally {
    await tx.release();
  }
  const stored = await docs(index);
  for (const name of names) {
    const alert = stored.get(`alert:${name}`)!._source;
    assert.equal(alert.partition, partitionOf(name));
    assert.equal(alert.body.window, undefined, 'the window left the alert document');
    assert.deepEqual(stored.get(`part:${partitionOf(name)}`)!._source.body.windows[name].window, saved.alerts[name]!.window, 'and is in its partition\'s');
  }
  assert.equal(stored.get('pending:p1')!._source.partition, partitionOf(names[5]!));
  assert.equal(stored.get('sent:s1')!._source.partition, partitionOf(names[6]!));
  const lease = stored.get('lease:run')!._source;
  assert.equal(lease.holder, 'partitioned-by-host-a');
  assert.equal(lease.until, 8.64e15);
  // An older alertcron waits for that lease and gives up (exit 5) instead of running beside the new hosts.
  const client = new StateClient({ url: esUrl, timeout: 5_000 });
  try {
    await assert.rejects(acquireLease(client, index, 'host-old@0badc0de/2/run', 30_000, 0), /another alertcron run \(partitioned-by-host-a\) holds the state lease/);
  } finally {
    client.close();
  }
});

test('a quiet run writes about one document per held partition, however many alerts there are', { timeout: 60_000 }, async () => {
  const written: number[] = [];
  for (const count of [1_000, 3_000]) {
    const index = freshIndex();
    const a = host('host-a', index);
    const names = alertsCovering(count);
    const first = await a.begin();
    for (const name of names) first.data.alerts[name] = { window: { from: 0, to: 60_000 }, lastRunAt: 60_000, keys: {} };
    await first.commit();
    await first.release();
    // A quiet minute: every alert's window moves on, nothing else changes.
    const quiet = await a.begin();
    const before = quiet.stats!().docs!;
    for (const name of names) quiet.data.alerts[name] = { ...quiet.data.alerts[name]!, window: { from: 60_000, to: 120_000 }, lastRunAt: 120_000 };
    await quiet.commit();
    await quiet.release();
    written.push(quiet.stats!().docs! - before);
    const back = await a.begin();
    assert.deepEqual(back.data.alerts[names[count - 1]!]!.window, { from: 60_000, to: 120_000 }, 'the windows were written');
    await back.release();
  }
  assert.equal(written[0], written[1], `documents written by a quiet run at 1,000 and 3,000 alerts: ${written.join(', ')}`);
  assert.ok(written[0]! <= 2 * (PARTITIONS + 1), `the windows (one document a partition) and the release of the leases: ${written[0]}`);
});

test('a run reads only its partitions\' alert documents; a command reads them all and cannot write an alert document', async () => {
  const { index, a, b } = await twoLiveHosts();
  const names = alertsCovering(200);
  const whole = await a.begin('command');
  for (const name of names) whole.data.alerts[name] = { keys: { root: { firstSeen: 1, lastSeen: 1, fired: 1, delivered: {} } } };
  whole.data.silences.push({ id: 'quiet', alert: '*', createdAt: 1, endsAt: Date.now() + 86_400_000, comment: 'c', author: 'me' });
  await whole.commit();
  await whole.release();
  let stored = await docs(index);
  assert.equal([...stored.keys()].filter((id) => id.startsWith('alert:')).length, 0, 'a command transaction cannot write an alert: document');
  assert.ok(stored.has('silence:quiet'), 'but writes a silence');

  // The holders write them, then each of two live hosts reads only its own.
  const txA = await a.begin();
  const txB = await b.begin();
  try {
    for (const name of names) {
      const tx = txA.ownership!.partitions.has(partitionOf(name)) ? txA : txB;
      tx.data.alerts[name] = { keys: { root: { firstSeen: 1, lastSeen: 1, fired: 1, delivered: {} } } };
    }
    await txA.commit();
    await txB.commit();
  } finally {
    await txA.release();
    await txB.release();
  }
  stored = await docs(index);
  assert.equal([...stored.keys()].filter((id) => id.startsWith('alert:')).length, names.length);
  const [againA, againB] = await Promise.all([a.begin(), b.begin()]);
  try {
    for (const tx of [againA, againB]) {
      const mine = names.filter((name) => tx.ownership!.partitions.has(partitionOf(name)));
      assert.deepEqual(Object.keys(tx.data.alerts).sort(), mine.sort(), 'the alert documents of its partitions, no other');
      assert.ok(mine.length < names.length);
    }
  } finally {
    await againA.release();
    await againB.release();
  }
  const command = await a.begin('command');
  try {
    assert.equal(Object.keys(command.data.alerts).length, names.length, 'a command reads every alert');
    assert.equal(command.ownership!.partitions.size, 0);
  } finally {
    await command.release();
  }
});

test('a shell command whose silence another host changed meanwhile is applied once more on what that host wrote', async () => {
  const index = freshIndex();
  const a = host('host-a', index);
  const b = host('host-b', index);
  const until = Date.now() + 3_600_000;
  await changeState(a, (data) => void data.silences.push({ id: 'x', alert: '*', createdAt: 1, endsAt: until, comment: 'maintenance', author: 'ann' }));
  let calls = 0;
  await changeState(a, async (data) => {
    calls++;
    // The first time, host-b expires the same silence while this command is under way.
    if (calls === 1) await changeState(b, (other) => void (other.silences.find((s) => s.id === 'x')!.endsAt = 5));
    data.silences.find((s) => s.id === 'x')!.comment = 'maintenance, extended';
  });
  assert.equal(calls, 2, 'applied once more after the conflict');
  const stored = (await docs(index)).get('silence:x')!._source.body;
  assert.deepEqual([stored.endsAt, stored.comment], [5, 'maintenance, extended'], 'on top of host-b\'s change');
});
