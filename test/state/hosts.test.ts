import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type { HostRecord } from '../../src/model/partition.js';
import { StateClient } from '../../src/state/cluster/client.js';
import { STATE_INDEX_BODY } from '../../src/state/cluster/docs.js';
import { addTakeovers, hostRecordProblem, KEPT_TAKEOVERS, liveHosts, notLiveReason, readHosts, writeHeartbeat } from '../../src/state/cluster/hosts.js';
import { checkProperty } from '../support/property.js';
import { testEsUrl } from '../support/world.js';

const esUrl = testEsUrl();
const indices: string[] = [];
after(async () => {
  for (const index of indices) await fetch(`${esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

function host(id: string, lastSeen: number, extra: Partial<HostRecord> = {}): HostRecord {
  return { id, holder: `${id}@inst`, lastSeen, startedAt: Math.max(0, lastSeen - 1000), version: '1.0.0', ...extra };
}

const hostId = fc.stringMatching(/^[a-z0-9-]{1,10}$/);

test('liveHosts: the caller is always live, a leaving host never, a heartbeat exactly host_ttl old is live and an older one is not', async () => {
  await checkProperty(
    'live hosts',
    fc.property(
      hostId,
      fc.array(fc.record({ id: hostId, age: fc.integer({ min: -5_000, max: 200_000 }), leaving: fc.boolean() }), { maxLength: 8 }),
      fc.integer({ min: 1_000, max: 120_000 }),
      (me, entries, ttl) => {
        const now = 1_800_000_000_000;
        const hosts = entries.map((e) => host(e.id, now - e.age, e.leaving ? { leaving: true } : {}));
        const live = liveHosts(hosts, me, now, ttl);
        assert.ok(live.includes(me), 'the caller is live');
        assert.deepEqual(live, [...new Set(live)].sort(), 'sorted, each once');
        for (const h of hosts) {
          if (h.id === me) continue;
          const anyLive = hosts.some((o) => o.id === h.id && !o.leaving && o.lastSeen >= now - ttl);
          assert.equal(live.includes(h.id), anyLive, `${h.id}: age ${now - h.lastSeen}, ttl ${ttl}, leaving ${h.leaving}`);
        }
      },
    ),
    300,
  );
  const now = 1_000_000;
  assert.deepEqual(liveHosts([host('a', now - 90_000), host('b', now - 90_001), host('c', now, { leaving: true })], 'me', now, 90_000), ['a', 'me']);
  assert.deepEqual(liveHosts([host('me', 0, { leaving: true })], 'me', now, 90_000), ['me'], 'the caller, even marked leaving or stale, is running');
});

test('liveHosts and notLiveReason: a heartbeat more than max_clock_skew in the future is not live (its clock runs ahead: it would never go stale)', () => {
  const now = 1_000_000;
  const skew = 10_000;
  assert.deepEqual(liveHosts([host('a', now + skew), host('b', now + skew + 1), host('c', now - 1_000)], 'me', now, 90_000, skew), ['a', 'c', 'me']);
  assert.equal(notLiveReason(host('b', now + skew + 1), now, 90_000, skew), 'ahead');
  assert.equal(notLiveReason(host('a', now + skew), now, 90_000, skew), undefined, 'exactly the skew ahead is within it');
  assert.deepEqual(liveHosts([host('me', now + 3_600_000)], 'me', now, 90_000, skew), ['me'], 'the caller is running whatever its heartbeat says');
});

test('addTakeovers appends the new ones with their time and keeps the newest 20', () => {
  const start = host('a', 1);
  assert.equal(addTakeovers(start, [], 5), start, 'nothing taken: the record as it was');
  let record = start;
  for (let i = 0; i < 25; i++) record = addTakeovers(record, [{ lease: String(i), from: 'b' }], 100 + i);
  assert.equal(record.takeovers!.length, KEPT_TAKEOVERS);
  assert.deepEqual(record.takeovers!.at(-1), { lease: '24', from: 'b', at: 124 });
  assert.deepEqual(record.takeovers![0], { lease: '5', from: 'b', at: 105 });
  assert.equal(start.takeovers, undefined, 'the record given is not changed');
});

test('hostRecordProblem names what is wrong with a hand-edited or foreign heartbeat', () => {
  const good = { body: host('a', 5, { lastRun: { startedAt: 1, finishedAt: 2, exitCode: 0, evaluated: 3, partitions: [1, 2], coordinator: true }, takeovers: [{ lease: '3', from: 'b', at: 4 }] }) };
  assert.equal(hostRecordProblem(good, 'host:a'), undefined);
  assert.match(hostRecordProblem(good, 'host:b')!, /names host "a"/);
  assert.match(hostRecordProblem({ body: { ...good.body, lastSeen: 'yesterday' } }, 'host:a')!, /lastSeen/);
  assert.match(hostRecordProblem({ body: { ...good.body, takeovers: [{ lease: 3 }] } }, 'host:a')!, /takeovers/);
  assert.match(hostRecordProblem({ body: { ...good.body, lastRun: { ...good.body.lastRun, partitions: 'all' } } }, 'host:a')!, /partitions/);
  assert.match(hostRecordProblem({ body: [] }, 'host:a')!, /body is not an object/);
  assert.match(hostRecordProblem(null, 'host:a')!, /not a JSON object/);
});

test('writeHeartbeat and readHosts against the engine: the strict mapping takes the heartbeat, a rewrite replaces it, a foreign document is skipped with its reason', async () => {
  const index = `alertcron-state-hosts-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  const client = new StateClient({ url: esUrl, timeout: 5_000 });
  try {
    await client.send('PUT', `/${index}`, STATE_INDEX_BODY, { write: true });
    const a = host('host-a', 1_000, { lastRun: { startedAt: 1, finishedAt: 2, exitCode: 0, evaluated: 7, partitions: [0, 5], coordinator: true } });
    await writeHeartbeat(client, index, a);
    await writeHeartbeat(client, index, host('host-b', 2_000));
    await writeHeartbeat(client, index, { ...a, lastSeen: 3_000, leaving: true });
    // A heartbeat from another version (its body not of this shape), put there by hand.
    await fetch(`${esUrl}/${index}/_doc/host:old`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'host', id: 'host:old', body: { name: 'old' } }) });
    await client.send('POST', `/${index}/_refresh`);
    const skipped: string[] = [];
    const hosts = await readHosts(client, index, (id, why) => skipped.push(`${id}: ${why}`));
    assert.deepEqual(hosts.map((h) => [h.id, h.lastSeen, h.leaving]), [['host-a', 3_000, true], ['host-b', 2_000, undefined]]);
    assert.deepEqual(hosts[0]!.lastRun, a.lastRun);
    assert.deepEqual(skipped, ['host:old: its body has no host id']);
    const stored = (await (await fetch(`${esUrl}/${index}/_doc/host:host-a`)).json()) as { _source: Record<string, unknown> };
    assert.equal(stored._source.last_seen, 3_000);
    assert.equal(stored._source.holder, 'host-a@inst');
    assert.deepEqual(await readHosts(client, `${index}-missing`), [], 'no index yet: no hosts');
  } finally {
    client.close();
  }
});

test('hostRecordProblem never throws on stored text of any shape, and what it accepts status can show', async () => {
  const { hostsLines, hostsStatus } = await import('../../src/commands/statusHosts.js');
  const valid = host('h', 1_000, { lastRun: { startedAt: 1, finishedAt: 2, exitCode: 0, evaluated: 3, partitions: [1], coordinator: false }, takeovers: [{ lease: '1', from: 'x', at: 3 }] }) as unknown as Record<string, unknown>;
  const field = fc.constantFrom(...Object.keys(valid), 'extra');
  await checkProperty(
    'host documents of any shape',
    fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(field, fc.jsonValue()).map((changes) => ({ body: { ...valid, ...changes } }))), (source) => {
      const why = hostRecordProblem(source, 'host:h');
      if (why !== undefined) {
        assert.equal(typeof why, 'string');
        return;
      }
      const record = (source as unknown as { body: HostRecord }).body;
      const view = hostsStatus({ hosts: [record], leases: [] }, 5_000, 90_000);
      assert.ok(hostsLines(view, 5_000, 90_000).length > 1);
    }),
    300,
  );
});
