// `state migrate` on the partitioned store (the transaction stateMigrate.ts begins with takeOverMoved): it fences the
// runs under way, gives everything back when it fails, and the layout move of two new hosts at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionOf, PARTITIONS } from '../../src/model/partition.js';
import { STATE_INDEX_BODY } from '../../src/state/cluster/docs.js';
import type { StateTransaction } from '../../src/state/store.js';
import { clusterStores, type TestStoreOptions } from '../support/clusterStores.js';

/** Fresh state indices, and one host's store on one (`migrate`: the store `state migrate` opens; max_clock_skew 0.5 s). */
const { esUrl, freshIndex, store } = clusterStores('migr');
const host = (id: string, index: string, options: TestStoreOptions = {}) => store(id, index, { skew: 500, ...options });

async function source(index: string, id: string): Promise<any> {
  const answer = await fetch(`${esUrl}/${index}/_doc/${encodeURIComponent(id)}`);
  return ((await answer.json()) as { _source?: unknown })._source;
}

async function putDoc(index: string, id: string, body: unknown): Promise<void> {
  const answer = await fetch(`${esUrl}/${index}/_doc/${encodeURIComponent(id)}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(answer.status < 300, `PUT ${id}: ${answer.status} ${await answer.text()}`);
}

/** As if the process were stopped: its leases are no longer renewed. */
const pause = (tx: StateTransaction) => (tx as unknown as { parts: { holding: { renewal: { stop(): void } } } }).parts.holding.renewal.stop();

const ALERTS = ['alert-1', 'alert-2', 'alert-3'];

/** A state whose alerts have windows (committed by a first run of host-a). */
async function seeded(options: { lease?: number } = {}) {
  const index = freshIndex();
  const a = host('host-a', index, options);
  const first = await a.begin();
  for (const name of ALERTS) first.data.alerts[name] = { window: { from: 1, to: 2 }, keys: {} };
  await first.commit();
  await first.release();
  return { index, a };
}

test('state migrate takes every partition lease: a run paused past its lease finds its commit refused, and the copy migrated is the last committed state', { timeout: 60_000 }, async () => {
  const { index, a } = await seeded({ lease: 3_000 });
  const stale = await a.begin();
  pause(stale);
  // The migration waits (lock_wait) until the paused run's leases ran out, then holds them all.
  const migration = await host('host-m', index, { migrate: true, lockWait: 15_000 }).begin();
  const copied = structuredClone(migration.data.alerts);
  for (const name of ALERTS) stale.data.alerts[name] = { window: { from: 2, to: 3 }, keys: {} };
  try {
    const error = await stale.commit().then(() => undefined, (e: unknown) => e as { message: string; exitCode?: number });
    assert.ok(error, 'the paused run\'s commit is refused');
    assert.equal(error.exitCode, 5);
    assert.match(error.message, /another host \(host-m@.*\) took over .* meanwhile \(fencing token \d+ > \d+\).*not written/);
  } finally {
    await stale.release();
  }
  const seen = await host('host-x', index).peek();
  for (const name of ALERTS) assert.deepEqual(seen.data.alerts[name]!.window, copied[name]!.window, `${name}: the cluster still has what the migration copied`);
  await migration.commit();
  await migration.release();
  assert.match((await source(index, 'lease:run')).holder, /^partitioned-by-host-m$/, 'the marker back on lease:run');
  const next = await a.begin();
  try {
    assert.equal(next.ownership!.partitions.size, PARTITIONS, 'the leases were given back: the next run takes them at once');
  } finally {
    await next.release();
  }
});

test('a run that passed the marker before the migration took lease:run takes no lease the migration holds', { timeout: 30_000 }, async () => {
  const { index, a } = await seeded();
  const migration = await host('host-m', index, { migrate: true }).begin();
  try {
    const { takeLeases, readLeases } = await import('../../src/state/cluster/partitionLeases.js');
    const { StateClient } = await import('../../src/state/cluster/client.js');
    const { assignLeases } = await import('../../src/model/partition.js');
    const client = new StateClient({ url: esUrl, timeout: 5_000 });
    try {
      const held = await takeLeases(client, index, 'host-a@late/1/run', assignLeases(['host-a']), 'host-a', Date.now(), 30_000, 500, await readLeases(client, index));
      assert.equal(held.held.size, 0, 'every lease is the migration\'s');
    } finally {
      client.close();
    }
  } finally {
    await migration.release();
  }
  void a;
});

test('a partition document changed under the migration\'s own commit is a clear refusal, not a crash', { timeout: 30_000 }, async () => {
  const { index } = await seeded();
  const migration = await host('host-m', index, { migrate: true }).begin();
  try {
    const part = `part:${partitionOf('alert-1')}`;
    await putDoc(index, part, { ...(await source(index, part)), updated_at: 1 });
    migration.data.alerts['alert-1'] = { window: { from: 5, to: 6 }, keys: {} };
    await assert.rejects(migration.commit(), (error: Error & { exitCode?: number }) => {
      assert.doesNotMatch(error.message, /whyLost|TypeError/);
      assert.match(error.message, new RegExp(`another run changed 1 state documents meanwhile \\(first ${part}\\)`));
      assert.equal(error.exitCode, 5);
      return true;
    });
  } finally {
    await migration.release();
  }
});

test('a migration that cannot take a live partition lease leaves the marker and nothing held: runs go on at once', { timeout: 30_000 }, async () => {
  const { index, a } = await seeded();
  const running = await a.begin();
  pause(running);
  try {
    await assert.rejects(host('host-m', index, { migrate: true, lockWait: 1_000 }).begin(), (error: Error & { exitCode?: number }) => {
      assert.match(error.message, /partition leases of .* are still held by running hosts \(first: .* by host-a@/);
      assert.equal(error.exitCode, 5);
      return true;
    });
  } finally {
    await running.release();
  }
  assert.match((await source(index, 'lease:run')).holder, /^partitioned-by-host-a$/, 'the marker is back');
  const started = Date.now();
  const next = await a.begin();
  try {
    assert.equal(next.ownership!.partitions.size, PARTITIONS);
    assert.ok(Date.now() - started < 1_500, 'no wait for lease:run');
  } finally {
    await next.release();
  }
});

test('two new hosts reaching a fresh index at once both run (the loser sees the winner\'s marker), each partition held once', { timeout: 60_000 }, async () => {
  for (let round = 0; round < 3; round++) {
    const index = freshIndex();
    const a = host('host-a', index);
    const b = host('host-b', index);
    const [txA, txB] = await Promise.all([a.begin(), b.begin()]);
    try {
      const partitions = [...txA.ownership!.partitions, ...txB.ownership!.partitions];
      assert.equal(new Set(partitions).size, partitions.length, 'no partition held twice');
    } finally {
      await txA.release();
      await txB.release();
    }
  }
});

test('a holder read from the cluster is quoted in error messages (no raw control characters)', { timeout: 30_000 }, async () => {
  const evil = 'evil\u001b[31m\nhost';
  const raw = (message: string) => /[\u0000-\u001f]/.test(message);
  // A live lease:run of today's layout, held by a strange holder: the run waits and says who holds it.
  const index = freshIndex();
  const created = await fetch(`${esUrl}/${index}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STATE_INDEX_BODY) });
  assert.equal(created.status, 200);
  await putDoc(index, 'lease:run', { kind: 'lease', id: 'lease:run', holder: evil, token: 3, until: Date.now() + 60_000, released: false, updated_at: 1 });
  await assert.rejects(host('host-a', index, { lockWait: 0 }).begin(), (error: Error) => {
    assert.ok(!raw(error.message), error.message);
    assert.ok(error.message.includes(JSON.stringify(evil)), error.message);
    return true;
  });
  // A live partition lease with that holder stops a migration.
  const other = await seeded();
  await putDoc(other.index, 'part:7', { ...(await source(other.index, 'part:7')), holder: evil, released: false, until: Date.now() + 60_000 });
  await assert.rejects(host('host-m', other.index, { migrate: true, lockWait: 0 }).begin(), (error: Error) => {
    assert.ok(!raw(error.message) && error.message.includes(JSON.stringify(evil)), error.message);
    return true;
  });
  // A run whose lease that holder took over meanwhile.
  const third = await seeded();
  const stale = await third.a.begin();
  pause(stale);
  const part = `part:${partitionOf('alert-1')}`;
  await putDoc(third.index, part, { ...(await source(third.index, part)), holder: evil, token: 99 });
  stale.data.alerts['alert-1'] = { window: { from: 7, to: 8 }, keys: {} };
  try {
    await assert.rejects(stale.commit(), (error: Error) => {
      assert.ok(!raw(error.message) && error.message.includes(JSON.stringify(evil)), error.message);
      return true;
    });
  } finally {
    await stale.release();
  }
});
