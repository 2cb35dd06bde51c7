import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { emptyState, type SourceHealth } from '../../src/model/state.js';
import { partitionOf, PARTITIONS, type HostRecord, type Ownership } from '../../src/model/partition.js';
import { pruneState } from '../../src/state/prune.js';
import { rebaseRecords } from '../../src/policy/clockStep.js';
import { expirePending } from '../../src/outbox/record.js';
import { heldShare, notHeldWarning, partitionsReport, takeoverAudit } from '../../src/run/share.js';
import { handOverAsks, queuedAskId } from '../../src/run/handOverAsks.js';
import { hostKey, watchHosts, watchTakeovers } from '../../src/run/hostMonitor.js';
import { checkProperty } from '../support/property.js';
import type { LoadedAlerts } from '../../src/config/loadAlerts.js';
import type { AlertDef } from '../../src/config/types.js';

const DAY = 86_400_000;
const names = Array.from({ length: 40 }, (_, i) => `alert-${i}`);

/** An ownership of these partitions. */
function owning(partitions: Iterable<number>, coordinator = false): Ownership {
  return { host: 'host-a', partitions: new Set(partitions), coordinator, took: [] };
}

/** A loaded folder of these alert names (only the name matters here), plus disabled and invalid ones. */
function folder(alerts: string[], disabled: string[] = [], invalid: string[] = []): LoadedAlerts {
  return { alerts: alerts.map((name) => ({ name }) as AlertDef), disabled, invalid, problems: [], warnings: [] };
}

test('a host works on the alerts of the partitions it holds: held shares of every host together are the folder, without overlap', async () => {
  await checkProperty(
    'held shares partition the alerts',
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: PARTITIONS, maxLength: PARTITIONS }), fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 60 }), (holderOf, alerts) => {
      const loaded = folder(alerts, alerts.slice(0, 3), alerts.slice(3, 5));
      const shares = [0, 1, 2, 3].map((h) => heldShare(loaded, owning(holderOf.flatMap((owner, p) => (owner === h ? [p] : [])))));
      const all = shares.flatMap((s) => s.alerts.map((a) => a.name)).sort();
      assert.deepEqual(all, [...alerts].sort());
      assert.deepEqual(shares.flatMap((s) => s.disabled).sort(), loaded.disabled.slice().sort());
      assert.deepEqual(shares.flatMap((s) => s.invalid).sort(), loaded.invalid.slice().sort());
      for (const [h, share] of shares.entries()) for (const a of share.alerts) assert.equal(holderOf[partitionOf(a.name)], h);
    }),
    200,
  );
  const loaded = folder(names);
  assert.equal(heldShare(loaded, undefined), loaded, 'no ownership (the file backend): everything');
});

test('run --json partitions: held sorted, the coordinator, takeovers and skipped leases; takeovers are audited', () => {
  const ownership: Ownership = { host: 'host-b', partitions: new Set([9, 2, 40]), coordinator: true, took: [{ lease: '40', from: 'host-a@x/1/abc' }], skipped: ['7'] };
  assert.deepEqual(partitionsReport(ownership), { held: [2, 9, 40], coordinator: true, took: [{ lease: '40', from: 'host-a@x/1/abc' }], skipped: ['7'] });
  assert.equal(partitionsReport(undefined), undefined);
  assert.deepEqual(takeoverAudit(ownership), [{ event: 'lease_takeover', lease: '40', from: 'host-a@x/1/abc', host: 'host-b' }]);
  assert.deepEqual(takeoverAudit(undefined), []);
});

test('run --only an alert of a partition another host holds says where it runs', () => {
  const held = partitionOf('alert-1');
  assert.equal(notHeldWarning(['alert-1'], owning([held])), undefined);
  assert.match(notHeldWarning(['alert-1'], owning([])) ?? '', /^not evaluated here: alert-1 \(partition \d+\) belongs to a partition this host does not hold/);
  assert.equal(notHeldWarning(['alert-1'], undefined), undefined);
});

test('pruning with an ownership touches only what the transaction holds: its alerts and receipts; silences and conversations on the coordinator', () => {
  const now = 100 * DAY;
  const held = names.filter((n) => partitionOf(n) % 2 === 0);
  const other = names.filter((n) => partitionOf(n) % 2 === 1);
  const ownership = owning(Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % 2 === 0));
  const build = () => {
    const data = emptyState();
    for (const name of [held[0]!, other[0]!]) data.alerts[name] = { lastRunAt: now - 30 * DAY, keys: { old: { firstSeen: 0, lastSeen: now - 30 * DAY, fired: 1, delivered: {} } } };
    for (const name of [held[0]!, other[0]!]) data.sent.push({ id: name, alert: name, key: 'k', channel: 'team', reason: 'first', at: now - 30 * DAY, receipt: { id: 'x' } as never });
    data.silences.push({ id: 's', alert: '*', createdAt: 0, endsAt: now - 30 * DAY, comment: '', author: '' });
    data.conversations.push({ id: 'c', alert: 'gone', closedAt: now - 30 * DAY, quietFor: 0, createdAt: 0 } as never);
    return data;
  };
  const data = build();
  pruneState(data, now, 7 * DAY, new Set(), ownership);
  assert.deepEqual(Object.keys(data.alerts), [other[0]], 'the held alert no longer defined is pruned; the other is its holder’s');
  assert.deepEqual(data.sent.map((s) => s.id), [other[0]]);
  assert.equal(data.silences.length, 1, 'silences are pruned by the coordinator');
  assert.equal(data.conversations.length, 1, 'conversations are pruned by the coordinator');
  const coordinator = build();
  pruneState(coordinator, now, 7 * DAY, new Set(), { ...ownership, coordinator: true });
  assert.deepEqual([coordinator.silences.length, coordinator.conversations.length], [0, 0]);
  const all = build();
  pruneState(all, now, 7 * DAY, new Set());
  assert.deepEqual([Object.keys(all.alerts).length, all.sent.length, all.silences.length], [0, 0, 0], 'no ownership: everything, as before');
});

test('ask findings of a host that is not the coordinator are handed over once per alert and key', () => {
  const data = emptyState();
  data.asks = [];
  const ask = (key: string) => ({ alert: 'logon-ask', key, person: 'ann', title: `t ${key}`, message: 'm', question: 'q?', links: ['https://x'] });
  handOverAsks(data, [ask('ann'), ask('bob')], 1000);
  handOverAsks(data, [ask('ann')], 2000);
  const idOf = (key: string) => queuedAskId('logon-ask', key);
  assert.deepEqual(data.asks.map((a) => [a.id, a.at]), [[idOf('ann'), 1000], [idOf('bob'), 1000]]);
  assert.match(idOf('ann'), new RegExp(`^${partitionOf('logon-ask')}-[0-9a-f]{32}$`), 'a short id: the partition and a hash, never the key');
  assert.deepEqual(data.asks[0], { id: idOf('ann'), alert: 'logon-ask', key: 'ann', person: 'ann', title: 't ann', message: 'm', question: 'q?', links: ['https://x'], at: 1000 });
  const none = emptyState();
  handOverAsks(none, [], 1000);
  assert.equal(none.asks, undefined);
});

const MIN = 60_000;
const host = (id: string, lastSeen: number, extra: Partial<HostRecord> = {}): HostRecord => ({ id, holder: `${id}@i`, lastSeen, startedAt: 0, version: '1', ...extra });
const monitoring = { notify: ['soc'], after_failures: 3 } as never;

test('the coordinator tells a host whose heartbeat went stale once, and its return once, whoever the coordinator is in between', () => {
  const t0 = 1_000 * MIN;
  const view = (now: number, b: number, me = 'host-a') => ({ hosts: [host('host-a', now), host('host-b', b), host('host-c', now)], me, leaseNow: now, hostTtlMs: 90_000 });
  let health: Record<string, SourceHealth> = {};
  const told: string[] = [];
  const step = (now: number, b: number, me?: string) => {
    const watched = watchHosts(monitoring, view(now, b, me), health, now);
    health = watched.health;
    told.push(...watched.deliveries.map((d) => `${d.key} ${d.reason} ${d.channel}`));
    return watched;
  };
  step(t0, t0 - 30_000);
  assert.deepEqual(told, [], 'a heartbeat younger than host_ttl is live');
  step(t0 + MIN, t0 - 30_000);
  assert.deepEqual(told, [], 'a heartbeat exactly host_ttl old is still live');
  const down = step(t0 + 2 * MIN, t0 - 30_000);
  assert.deepEqual(told, ['host:host-b down soc']);
  assert.match(down.deliveries[0]!.message, /^alertcron on host-b has not run since .*Z \(its share moved to (host-a|host-c|host-a, host-c)\)\. Alerting goes on on the other hosts/);
  assert.equal(down.deliveries[0]!.alert, '_alertcron');
  step(t0 + 3 * MIN, t0 - 30_000, 'host-c');
  step(t0 + 4 * MIN, t0 - 30_000);
  assert.equal(told.length, 1, 'told once, even when the coordinator moved to another host');
  step(t0 + 5 * MIN, t0 + 5 * MIN, 'host-c');
  assert.deepEqual(told, ['host:host-b down soc', 'host:host-b recovered soc']);
  step(t0 + 6 * MIN, t0 + 6 * MIN);
  assert.equal(told.length, 2);
  assert.deepEqual(health, {});
  assert.equal(hostKey('host-b'), 'host:host-b');
});

test('a host that left is not told; a coordinator that was told down tells its own return', () => {
  const now = 1_000 * MIN;
  const left = watchHosts(monitoring, { hosts: [host('host-a', now), host('host-b', now - 10 * MIN, { leaving: true })], me: 'host-a', leaseNow: now, hostTtlMs: 90_000 }, {}, now);
  assert.deepEqual([left.deliveries.length, Object.keys(left.health).length], [0, 0]);
  const back = watchHosts(monitoring, { hosts: [host('host-a', now - 10 * MIN)], me: 'host-a', leaseNow: now, hostTtlMs: 90_000 }, { 'host-a': { failures: 3, since: now - 5 * MIN, notified: true } }, now);
  assert.deepEqual(back.deliveries.map((d) => [d.key, d.reason]), [['host:host-a', 'recovered']]);
});

test('re-basing times stored ahead touches only what the transaction holds (a non-coordinator leaves silences and chat actions to the coordinator)', () => {
  const now = 1_000 * MIN;
  const ahead = now + 60 * MIN;
  const pool = Array.from({ length: 1000 }, (_, i) => `alert-${i}`);
  const mine = pool.find((n) => partitionOf(n) === 0)!;
  const theirs = pool.find((n) => partitionOf(n) === 1)!;
  const build = () => {
    const data = emptyState();
    data.silences.push({ id: 's', alert: '*', createdAt: ahead, endsAt: ahead + MIN, comment: '', author: '' });
    for (const alert of [mine, theirs]) {
      data.pending.push({ id: alert, alert, key: 'k', channel: 'soc', reason: 'first', title: '', message: '', createdAt: ahead, attempts: 0 });
      data.sent.push({ id: alert, alert, key: 'k', channel: 'soc', reason: 'first', at: ahead, receipt: {} as never });
    }
    data.chatDone = { x: ahead };
    return data;
  };
  const data = build();
  assert.equal(rebaseRecords(data, now, 0, owning([0])), 2, 'its own pending notice and receipt');
  assert.deepEqual([data.silences[0]!.createdAt, data.chatDone!.x], [ahead, ahead]);
  assert.deepEqual(data.pending.map((p) => p.createdAt === ahead), [false, true]);
  assert.equal(rebaseRecords(build(), now, 0, owning([0], true)), 4, 'the coordinator: the silence and the chat action too');
  assert.equal(rebaseRecords(build(), now), 6, 'no ownership: everything');
});

test('a host expires only the pending notices it holds: another partition’s wait for their holder', () => {
  const now = 1_000 * MIN;
  const data = emptyState();
  for (const alert of ['mine', 'theirs']) data.pending.push({ id: alert, alert, key: 'k', channel: 'soc', reason: 'first', title: '', message: '', createdAt: now - 10 * DAY, attempts: 3 });
  const expired = expirePending(data, now, DAY, (item) => item.alert === 'mine');
  assert.deepEqual(expired.reports.map((r) => r.alert), ['mine']);
  assert.deepEqual(data.pending.map((p) => p.id), ['theirs']);
});

test('takeovers from a host that still runs are told once; leases taken by the grace rule (a live host that did not take its own) are not called a death mid-run', () => {
  const now = 1_000 * MIN;
  const taken = (grace: boolean) => host('host-a', now, { takeovers: [{ lease: '5', from: 'host-b', at: now - MIN, ...(grace ? { grace: true as const } : {}) }] });
  const view = (grace: boolean) => ({ hosts: [taken(grace), host('host-b', now - 10_000)], me: 'host-a', leaseNow: now, hostTtlMs: 90_000 });
  const died = watchTakeovers(monitoring, view(false), {}, now);
  assert.equal(died.deliveries.length, 1, 'a host whose leases were taken over while it still runs is told');
  assert.match(died.deliveries[0]!.title, /host-b dies mid-run/);
  const graced = watchTakeovers(monitoring, view(true), {}, now);
  assert.deepEqual([graced.deliveries.length, graced.audit.length], [0, 0], 'a grace take is no death mid-run');
});
