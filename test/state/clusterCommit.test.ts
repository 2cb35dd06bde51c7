import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StateConfig } from '../../src/model/config.js';
import type { PendingDelivery } from '../../src/model/state.js';
import { partitionOf } from '../../src/model/partition.js';
import { ClusterStateStore } from '../../src/state/clusterStore.js';
import { bulk, BulkRefusedError } from '../../src/state/cluster/bulk.js';
import { StateClient } from '../../src/state/cluster/client.js';
import { STATE_INDEX_BODY, stateDocId, toDocs } from '../../src/state/cluster/docs.js';
import { emptyState } from '../../src/model/state.js';
import { startBulkFaultProxy, type BulkFaultProxy } from '../support/bulkFaultProxy.js';
import { testEsUrl } from '../support/world.js';
import { contentOf } from '../support/content.js';

const esUrl = testEsUrl();
const indices: string[] = [];
const dirs: string[] = [];
let proxy: BulkFaultProxy;

before(async () => {
  proxy = await startBulkFaultProxy(esUrl);
});
after(async () => {
  await proxy.close();
  for (const index of indices) await fetch(`${esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A store on a fresh state index of this file's own, reached through the fault proxy. */
function store(host = 'host-a', options: { index?: string; lockWait?: number; deadlineAt?: number; leaseTtl?: number } = {}): { store: ClusterStateStore; index: string; localFile: string } {
  const index = options.index ?? `alertcron-state-commit-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-commit-'));
  dirs.push(dir);
  const config = { backend: 'cluster', file: join(dir, 'state.json'), index, local_file: join(dir, 'local.json'), host_id: host, lease_ttl: options.leaseTtl ?? 30_000, partition_lease: options.leaseTtl ?? 30_000, host_ttl: 90_000, max_clock_skew: 1_000, lock_wait: options.lockWait ?? 2_000, prune_after: 7 * 86_400_000, audit_log: join(dir, 'audit.log'), audit_max_size: 1e6, audit_keep: 1 } as StateConfig;
  return { store: new ClusterStateStore(config, { url: proxy.url, timeout: 5_000 }, options.deadlineAt === undefined ? {} : { deadlineAt: options.deadlineAt }), index, localFile: config.local_file };
}

async function storedIds(index: string): Promise<string[]> {
  await fetch(`${esUrl}/${index}/_refresh`, { method: 'POST' });
  const answer = (await (await fetch(`${esUrl}/${index}/_search?size=1000`)).json()) as { hits: { hits: { _id: string }[] } };
  return answer.hits.hits.map((h) => h._id).sort();
}

/** The ids of the state's own documents (not the leases, heartbeats and claims beside them). */
async function stateIds(index: string): Promise<string[]> {
  return (await storedIds(index)).filter((id) => /^(meta|alert|pending|sent|silence|op|ask):/.test(id));
}

const item: PendingDelivery = { id: 'p1', alert: 'admins', key: 'root', channel: 'soc-email', reason: 'first', title: 'Admin root', message: 'm', createdAt: 1, attempts: 0 };

test('a pending item the cluster refuses (429 in the _bulk answer) while its window is written is kept on the host, written by the next run, and not queued again once sent', async () => {
  const { store: s, index } = store();
  proxy.rejectIdsStartingWith = 'pending:';
  const first = await s.begin();
  first.data.alerts.admins = { window: { from: 1, to: 2 }, keys: { root: { firstSeen: 1, lastSeen: 2, fired: 2, delivered: {} } } };
  first.data.pending.push({ ...item });
  await assert.rejects(first.commit(), /refused 1 of \d+ writes: pending:p1: es_rejected_execution_exception/);
  await first.release();
  assert.deepEqual(await stateIds(index), ['alert:admins', 'meta:state'], 'the window moved on, the item did not reach the cluster');

  proxy.rejectIdsStartingWith = undefined;
  const second = await s.begin();
  assert.deepEqual(second.data.pending.map((p) => p.id), ['p1'], 'the refused item is back, from the local file');
  await second.commit();
  assert.ok((await storedIds(index)).includes('pending:p1'), 'and now in the cluster');
  // It is sent: the run drops it from pending.
  second.data.pending = [];
  await second.commit();
  await second.release();

  const third = await s.begin();
  assert.deepEqual(third.data.pending, [], 'the copy the local file held is not queued again');
  await third.release();
});

test('a _bulk answer that does not account for every write is not taken for success', async () => {
  const { store: s } = store();
  const tx = await s.begin();
  tx.data.pending.push({ ...item, id: 'p2' });
  proxy.dropItems = true;
  try {
    await assert.rejects(tx.commit(), /answered 0 results for \d+ writes/);
  } finally {
    proxy.dropItems = false;
    await tx.release();
  }
});

test('a claim the cluster refuses holds back only its own item: the others are claimed and sent', async () => {
  const { store: s, index } = store();
  const tx = await s.begin();
  const items = ['p3', 'p4', 'p5'].map((id) => ({ ...item, id }));
  tx.data.pending.push(...items);
  await tx.commit();
  proxy.rejectIdsStartingWith = 'claim:p4';
  try {
    const mine = await tx.claim!(items, Date.now());
    assert.deepEqual(mine.map((p) => p.id), ['p3', 'p5']);
  } finally {
    proxy.rejectIdsStartingWith = undefined;
  }
  // p4 is still pending and unclaimed: the next run (here, this one again) may claim it.
  assert.deepEqual((await tx.claim!([items[1]!], Date.now())).map((p) => p.id), ['p4']);
  await tx.release();
  assert.ok((await storedIds(index)).includes('claim:p4'));
});

test('a run waits for the run lease of an older alertcron still running no longer than half the time left before its deadline, whatever lock_wait says', { timeout: 30_000 }, async () => {
  const { store: a, index } = store('host-a', { lockWait: 60_000, deadlineAt: Date.now() + 2_000 });
  // An older version on host-b runs the alerts: it holds lease:run (today's layout) for 30 s yet.
  await fetch(`${esUrl}/${index}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STATE_INDEX_BODY) });
  await fetch(`${esUrl}/${index}/_doc/lease:run?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'lease', id: 'lease:run', holder: 'host-b@0badc0de/1/old', token: 3, until: Date.now() + 30_000, released: false, updated_at: Date.now() }) });
  await assert.rejects(a.begin(), (error: Error & { exitCode?: number }) => {
    assert.match(error.message, /another alertcron run \(host-b@[0-9a-f]{8}\/.*\) holds the state lease .* waited [01]s \(state\.lock_wait, at most half the time left before run\.deadline\) and did nothing/);
    return true;
  });
});

test('two machines given the same host_id (a copied alertcron.yaml) do not take each other\'s live partition leases as their own', async () => {
  const { store: first, index } = store('alerts');
  const held = await first.begin();
  assert.equal(held.ownership!.partitions.size, 64, 'alone, the first holds every partition');
  // Another deployment (its own local file) with the same host_id, while the first still runs.
  const second = await store('alerts', { index }).store.begin();
  try {
    assert.equal(second.ownership!.partitions.size, 0, 'none of the first one\'s leases is taken');
    assert.equal(second.ownership!.coordinator, false);
  } finally {
    await second.release();
    await held.release();
  }
});

test('a partition lease left live by a killed run of this very deployment is taken over at once', async () => {
  const { store: s, index, localFile } = store('alerts');
  await (await s.begin()).release();
  const instance = readFileSync(`${localFile}.instance`, 'utf8').trim();
  const lease = (await (await fetch(`${esUrl}/${index}/_doc/part:7`)).json()) as { _source: Record<string, unknown> };
  // As a run killed with SIGKILL leaves it: held, not released, for a while yet.
  await fetch(`${esUrl}/${index}/_doc/part:7?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...lease._source, holder: `alerts@${instance}/1/killed`, released: false, until: Date.now() + 60_000 }) });
  const tx = await s.begin();
  assert.ok(tx.ownership!.partitions.has(7), 'taken at once');
  assert.ok(tx.fencingToken > (lease._source.token as number));
  assert.deepEqual(tx.ownership!.took, [], 'its own dead run: no takeover from another host');
  await tx.release();
});

test('leases renewed too late to be sure of (the answer came after partition_lease minus max_clock_skew) write nothing of their partitions', async () => {
  const { store: s, index } = store('host-a', { leaseTtl: 3_000 });
  const tx = await s.begin();
  tx.data.alerts.admins = { window: { from: 1, to: 2 }, keys: {} };
  tx.data.pending.push({ ...item, id: 'p6' });
  proxy.delayLeaseWritesMs = 2_500;
  try {
    // The renewal timer (every second) is under way, answered late.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await assert.rejects(tx.commit(), /renewed too late .* another host may be taking over; nothing of those partitions was written/);
  } finally {
    proxy.delayLeaseWritesMs = undefined;
    await tx.release();
  }
  assert.deepEqual((await stateIds(index)).filter((id) => id !== 'meta:state'), [], 'neither the window nor the item was written');
});

test('slices other branches add (chats, chatLog, chatDone, conversations) are stored under the strict mapping as they are; tokens stay on the host', async () => {
  const { store: s, index } = store();
  const tx = await s.begin();
  const extra = {
    chats: { telegram: { allowed: { '-100': { id: '-100', title: 'SOC', kind: 'group', at: 1, by: 'ann' } }, requested: {}, banned: {} } },
    chatLog: [{ at: 1, channel: 'telegram', chat: '-100', by: 'ann', what: 'allowed', deep: { any: ['shape', 1, true] } }],
    chatDone: { 'telegram:42': 1 },
    conversations: [{ id: 'c1', turns: [{ role: 'user', text: 'ack all' }] }],
    tokens: { maxpatrol: { token: 'session-secret', expiresAt: 9 } },
  };
  Object.assign(tx.data, extra);
  await tx.commit();
  await tx.release();
  const stored = (await (await fetch(`${esUrl}/${index}/_doc/meta:state`)).json()) as { _source: { body: Record<string, unknown> } };
  const { tokens, ...shared } = extra;
  for (const [slice, value] of Object.entries(shared)) assert.deepEqual(stored._source.body[slice], value, `${slice} in the cluster as it was`);
  assert.doesNotMatch(JSON.stringify(stored), /session-secret/);
  const back = (await s.begin()) as unknown as { data: Record<string, unknown>; release(): Promise<void> };
  for (const [slice, value] of Object.entries(extra)) assert.deepEqual(contentOf(back.data[slice]), value, `${slice} back in the next run`);
  assert.deepEqual(contentOf(back.data.tokens), tokens);
  await back.release();
});

test('a notice the local file holds (refused by the cluster) survives a later run that loses the cluster at its _bulk', async () => {
  const { store: s, index, localFile } = store();
  proxy.rejectIdsStartingWith = 'pending:';
  const first = await s.begin();
  first.data.alerts.admins = { window: { from: 1, to: 2 }, keys: {} };
  first.data.pending.push({ ...item, id: 'p7' });
  await assert.rejects(first.commit(), /refused 1 of \d+ writes: pending:p7/);
  await first.release();
  proxy.rejectIdsStartingWith = undefined;

  // The next run holds p7 (from the local file), and the connection drops at its final _bulk.
  const second = await s.begin();
  assert.deepEqual(second.data.pending.map((p) => p.id), ['p7']);
  second.data.alerts.admins = { window: { from: 2, to: 3 }, keys: {} };
  proxy.cut = ({ path }) => (path.startsWith('/_bulk') ? 'before' : undefined);
  try {
    await assert.rejects(second.commit(), /./);
  } finally {
    proxy.cut = undefined;
    await second.release();
  }
  assert.deepEqual(JSON.parse(readFileSync(localFile, 'utf8')).pending.map((p: PendingDelivery) => p.id), ['p7'], 'the local file still holds it');

  const third = await s.begin();
  assert.deepEqual(third.data.pending.map((p) => p.id), ['p7'], 'and the run after that sends it');
  await third.commit();
  await third.release();
  assert.ok((await storedIds(index)).includes('pending:p7'));
});

test('a notice about alertcron itself that the cluster has is not copied into the local file when only the lease could not be given back', async () => {
  const { store: s, localFile } = store();
  const tx = await s.begin();
  tx.data.pending.push({ ...item, id: 'p8', alert: '_alertcron', key: 'state' });
  await tx.commit();
  // The lease write is lost: the cluster is taken for lost, and the run's state is committed again, locally.
  proxy.cut = ({ path, body }) => (path.startsWith('/_bulk') && body.includes('"released":true') ? 'before' : undefined);
  try {
    await tx.unlease!();
    assert.ok(tx.failed!());
    await tx.commit();
  } finally {
    proxy.cut = undefined;
    await tx.release();
  }
  assert.deepEqual(JSON.parse(readFileSync(localFile, 'utf8')).pending, [], 'the cluster has it: the local file does not');
});

test('a host not holding _alertcron\'s partition whose notice about itself landed (the _bulk\'s answer lost) drops its kept copy at the next run instead of failing on the conflict', async () => {
  const { store: a, index } = store('host-a');
  const { store: b, localFile } = store('host-b', { index });
  // host-a holds every partition (it began alone and is still running): host-b holds none.
  const holder = await a.begin();
  try {
    const first = await b.begin();
    assert.equal(first.ownership?.partitions.size, 0);
    first.data.pending.push({ ...item, id: 'p9', alert: '_alertcron', key: 'source:es' });
    // The write lands; its answer is lost: the notice stays in host-b's local file.
    proxy.cut = ({ path, body }) => (path.startsWith('/_bulk') && body.includes('pending:p9') ? 'after' : undefined);
    try {
      await assert.rejects(first.commit(), /./);
    } finally {
      proxy.cut = undefined;
      await first.release();
    }
    assert.deepEqual(JSON.parse(readFileSync(localFile, 'utf8')).pending.map((p: PendingDelivery) => p.id), ['p9']);
    assert.ok((await storedIds(index)).includes('pending:p9'), 'the write landed');

    const second = await b.begin();
    assert.deepEqual(second.data.pending.map((p) => p.id), ['p9'], 'the kept copy, the cluster\'s unseen (not held)');
    await second.commit();
    assert.deepEqual(second.data.pending, [], 'the cluster has it: its holder sends it');
    await second.release();
    assert.deepEqual(JSON.parse(readFileSync(localFile, 'utf8')).pending, [], 'the local file no longer keeps it');
    assert.equal((await storedIds(index)).filter((id) => id === 'pending:p9').length, 1);
  } finally {
    await holder.release();
  }
});

test('a _bulk the cluster refuses as a whole (an id over 512 bytes) is reported as refused, naming the cause, not as the cluster lost', async () => {
  const index = `alertcron-state-commit-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  const client = new StateClient({ url: esUrl, timeout: 5_000 });
  try {
    const long = `pending:${'x'.repeat(600)}`;
    const refused = await bulk(client, index, [{ op: 'create', id: long, doc: { kind: 'pending', id: 'x' } }]).then(() => undefined, (error: Error) => error);
    assert.ok(refused instanceof BulkRefusedError, String(refused));
    assert.match(refused.message, /refused all 1 writes of one request \(HTTP 400: .*too long/);
    assert.equal(client.failure, undefined, 'the cluster is not taken for lost');
    assert.equal(refused.exitCode, 6, 'exit 6 (the state cannot be written), not 3 (the cluster unreachable)');
  } finally {
    client.close();
  }
  // The state's own documents never get such an id: one too long is replaced by its hash.
  const data = emptyState();
  data.pending.push({ ...item, id: 'y'.repeat(600) });
  const ids = [...toDocs(data).keys()].filter((id) => id.startsWith('pending:'));
  assert.deepEqual(ids, [stateDocId('pending', 'y'.repeat(600))]);
  assert.ok(Buffer.byteLength(ids[0]!) <= 512 && stateDocId('pending', 'p1') === 'pending:p1');
});

test('a holder paused between its fence and its _bulk past the lease: its window write is refused and it says that notices of that write may have landed (the documented gap: they may be sent beside the new holder\'s copy)', { timeout: 30_000 }, async () => {
  const { store: a, index } = store('host-a', { leaseTtl: 3_000 });
  const { store: b } = store('host-b', { index, leaseTtl: 3_000 });
  const first = await a.begin();
  first.data.alerts.admins = { window: { from: 1_000, to: 2_000 }, lastRunAt: 2_000, keys: {} };
  await first.commit();
  await first.release();

  const stale = await a.begin();
  (stale as unknown as { parts: { holding: { renewal: { stop(): void } } } }).parts.holding.renewal.stop();
  stale.data.alerts.admins = { ...stale.data.alerts.admins!, window: { from: 2_000, to: 3_000 }, lastRunAt: 3_000, keys: { root: { firstSeen: 3_000, lastSeen: 3_000, lastFired: 3_000, fired: 1, delivered: {} } } };
  stale.data.pending.push({ ...item, id: 'from-a', createdAt: 3_000, window: { from: 2_000, to: 3_000 } } as PendingDelivery);
  // Its fence passes (the lease is fresh); its _bulk is held 4.5 s, past the lease, while host-b takes over.
  proxy.holdBulk = (body) => (body.includes('pending:from-a') ? 4_500 : undefined);
  const committing = stale.commit().then(() => undefined, (error: Error) => error);
  try {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const newer = await b.begin();
    assert.ok(newer.ownership!.partitions.size > 0, 'host-b took the expired leases');
    assert.equal(newer.data.pending.length, 0, 'host-a\'s notice has not landed yet');
    newer.data.alerts.admins = { ...newer.data.alerts.admins!, window: { from: 2_000, to: 3_000 }, lastRunAt: 3_600, keys: { root: { firstSeen: 3_600, lastSeen: 3_600, lastFired: 3_600, fired: 1, delivered: {} } } };
    newer.data.pending.push({ ...item, id: 'from-b', createdAt: 3_600, window: { from: 2_000, to: 3_000 } } as PendingDelivery);
    const error = await committing;
    assert.match(String(error), /took over .* meanwhile \(fencing token \d+ > \d+\); the windows of th(at|ose) partitions? were not written .*notices this run queued in that write may have reached the cluster/);
    assert.ok((await storedIds(index)).includes('pending:from-a'), 'host-a\'s notice landed');
    // host-a's alert document landed too, after host-b read it: host-b's own is refused (exit 5), its window and notice written.
    await assert.rejects(newer.commit(), /another run changed 1 state documents meanwhile \(first alert:admins\)/);
    await newer.release();
  } finally {
    proxy.holdBulk = undefined;
    await stale.release();
  }
  // The partition's window is host-b's: host-a's refused write never moved it.
  const part = (await (await fetch(`${esUrl}/${index}/_doc/part:${partitionOf('admins')}`)).json()) as { _source: { body: { windows: Record<string, { window?: { to: number } }> } } };
  assert.equal(part._source.body.windows.admins?.window?.to, 3_000);
});

test('an item whose claim id would be over 512 bytes (a hand-written item) is not claimed, and does not hold back the others', async () => {
  const { store: s } = store();
  const tx = await s.begin();
  try {
    const long = { ...item, id: 'z'.repeat(600) };
    const ok = { ...item, id: 'p-short' };
    tx.data.pending.push(long, ok);
    await tx.commit();
    const claimed = await tx.claim!([long, ok], Date.now());
    assert.deepEqual(claimed.map((i) => i.id), ['p-short']);
  } finally {
    await tx.release();
  }
});
