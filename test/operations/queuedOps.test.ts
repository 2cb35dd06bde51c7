import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PARTITIONS, partitionOf, type AlertOp, type Ownership } from '../../src/model/partition.js';
import { chatsOf, emptyState, type KeyState, type StateData } from '../../src/model/state.js';
import { queueChatChange } from '../../src/notify/telegramChatChanges.js';
import { applyQueuedOps, opPartitions, pruneOps, queueOp, OP_KEPT_MS } from '../../src/operations/queuedOps.js';
import { acknowledge, applyToState } from '../../src/operations/stateOperations.js';
import { checkProperty } from '../support/property.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const MIN = 60_000;

/** Alert names spread over distinct partitions. */
const names = (() => {
  const found: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; found.length < 6; i++) {
    const name = `alert-${i}`;
    if (seen.has(partitionOf(name))) continue;
    seen.add(partitionOf(name));
    found.push(name);
  }
  return found;
})();
const [A, B, C] = names as [string, string, string];

function firing(at = NOW - 5 * MIN): KeyState {
  return { firstSeen: at, lastSeen: at, lastFired: at, fired: 1, delivered: {} };
}

function holding(...alerts: string[]): Ownership {
  return { host: 'h', partitions: new Set(alerts.map(partitionOf)), coordinator: false, took: [] };
}

function clusterState(): StateData {
  const data = emptyState();
  data.ops = [];
  for (const name of names) data.alerts[name] = { keys: { root: firing(), other: firing() } };
  return data;
}

test('queueOp is a no-op without data.ops (the file backend), counts the held partitions as done, and queues an id once', () => {
  const file = emptyState();
  assert.equal(queueOp(file, { op: 'ack', alert: A, by: 'x' }, NOW), undefined);
  assert.equal(file.ops, undefined);
  const data = clusterState();
  const star = queueOp(data, { op: 'handled', alert: '*', key: 'root', how: 'promoted', by: 'x', id: 'chat-1' }, NOW, holding(A, B))!;
  assert.deepEqual(star.doneIn, [partitionOf(A), partitionOf(B)].sort((a, b) => a - b));
  assert.equal(star.at, NOW);
  const again = queueOp(data, { op: 'handled', alert: '*', key: 'root', how: 'promoted', by: 'x', id: 'chat-1' }, NOW + MIN, holding(C));
  assert.equal(again, star, 'the same id (a replayed chat action) queues nothing new');
  assert.equal(data.ops!.length, 1);
  const one = queueOp(data, { op: 'ack', alert: C, key: 'root', by: 'x' }, NOW, holding(A))!;
  assert.equal(one.doneIn, undefined, 'not held: nothing done yet');
  assert.match(one.id, /^[0-9a-f]{12}$/);
});

test('applyQueuedOps applies an op once in each held partition, and records the partition', () => {
  const data = clusterState();
  queueOp(data, { op: 'ack', alert: A, key: 'root', by: 'alice' }, NOW - MIN);
  queueOp(data, { op: 'handled', alert: '*', key: 'other', how: 'promoted to case #3', by: 'bob' }, NOW - MIN, holding(B));
  const audit = applyQueuedOps(data, holding(A, C), NOW);
  assert.deepEqual(data.alerts[A]!.keys.root!.acknowledged, { at: NOW - MIN, by: 'alice' });
  assert.equal(data.alerts[A]!.keys.other!.handled?.how, 'promoted to case #3');
  assert.equal(data.alerts[C]!.keys.other!.handled?.how, 'promoted to case #3');
  assert.equal(data.alerts[B]!.keys.other!.handled, undefined, 'B was done by the op\'s creator');
  assert.equal(data.alerts[names[3]!]!.keys.other!.handled, undefined, 'a partition not held waits for its holder');
  assert.deepEqual(audit.map((e) => [e.event, e.alert]).sort(), [['op_applied', A], ['op_applied', A], ['op_applied', C]].sort());
  assert.deepEqual(data.ops![0]!.doneIn, [partitionOf(A)]);
  assert.ok(data.ops![1]!.doneIn!.includes(partitionOf(C)));
  delete data.alerts[A]!.keys.root!.acknowledged;
  assert.deepEqual(applyQueuedOps(data, holding(A, C), NOW + MIN), [], 'nothing twice');
  assert.equal(data.alerts[A]!.keys.root!.acknowledged, undefined);
});

test('an ack older than the key\'s current firing is dropped: the key resolved at or after it, or first appeared after it', () => {
  const data = clusterState();
  const key = data.alerts[A]!.keys.root!;
  key.resolvedAt = NOW - 2 * MIN;
  key.lastFired = NOW - MIN;
  queueOp(data, { op: 'ack', alert: A, key: 'root', by: 'alice' }, NOW - 3 * MIN);
  data.alerts[B]!.keys.root = firing(NOW - MIN);
  queueOp(data, { op: 'ack', alert: B, by: 'alice' }, NOW - 2 * MIN);
  const audit = applyQueuedOps(data, holding(A, B), NOW);
  assert.equal(key.acknowledged, undefined, 'the key resolved after the ack and fired again: a new occurrence');
  assert.equal(data.alerts[B]!.keys.root!.acknowledged, undefined, 'first seen after the ack');
  assert.ok(data.alerts[B]!.keys.other!.acknowledged, 'the other key was firing when the ack was given');
  assert.deepEqual(audit.filter((e) => e.event === 'op_skipped').map((e) => [e.alert, e.key]), [[A, 'root'], [B, 'root']]);
  assert.match(String(audit.find((e) => e.event === 'op_skipped')!.why), /resolved after the ack/);
});

test('an op queued more than a day ago is recorded as done but not applied; pruneOps drops the ops done everywhere or that old', () => {
  const data = clusterState();
  queueOp(data, { op: 'ack', alert: A, key: 'root', by: 'alice' }, NOW - OP_KEPT_MS - 1);
  applyQueuedOps(data, holding(A), NOW);
  assert.equal(data.alerts[A]!.keys.root!.acknowledged, undefined);
  assert.deepEqual(data.ops![0]!.doneIn, [partitionOf(A)]);
  queueOp(data, { op: 'handled', alert: '*', key: 'root', how: 'x', by: 'y' }, NOW, holding(A));
  queueOp(data, { op: 'ack', alert: B, by: 'y' }, NOW);
  assert.equal(pruneOps(data, NOW), 1);
  assert.deepEqual(data.ops!.map((o) => o.alert), ['*', B]);
  applyQueuedOps(data, { host: 'h', partitions: new Set(opPartitions({ alert: '*' })), coordinator: true, took: [] }, NOW);
  assert.equal(pruneOps(data, NOW), 2);
});

test('acknowledge: a chat action on an alert held elsewhere is queued; the shell still refuses a key that is not firing', () => {
  const data = clusterState();
  data.alerts[A]!.keys.root!.resolvedAt = NOW;
  const shell = { ownership: holding(), readAll: true };
  const refused = acknowledge(data, A, 'root', 'me', NOW, shell);
  assert.equal(refused.ok, false);
  assert.equal(data.ops!.length, 0);
  const fromShell = acknowledge(data, B, 'root', 'me', NOW, shell);
  assert.equal(fromShell.ok, true);
  assert.match(fromShell.message, new RegExp(`queued: applied by the host holding alert ${B} at its next run \\(within a minute\\)`));
  assert.equal(data.alerts[B]!.keys.root!.acknowledged, undefined, 'not applied by a transaction that holds nothing');
  const chat = acknowledge(data, names[4]!, 'root', 'alice', NOW, { ownership: holding(A), id: 'chat-xyz' });
  assert.equal(chat.ok, true);
  assert.deepEqual(data.ops!.map((o) => [o.alert, o.id]), [[B, data.ops![0]!.id], [names[4], 'chat-xyz']]);
  const held = acknowledge(data, C, 'root', 'alice', NOW, { ownership: holding(C) });
  assert.match(held.message, /^acknowledged/);
  assert.ok(data.alerts[C]!.keys.root!.acknowledged, 'a held alert is acknowledged at once, as today');
  const resolved = applyToState(data, { op: 'resolve', key: 'other', how: 'promoted', by: 'bob' }, NOW, { ownership: holding(C) });
  assert.match(resolved.message, new RegExp(`other promoted \\(${C}; queued: applied by the hosts holding its alerts`));
});

/** One host's run against the shared store in the simulation: it reads its partitions' alerts and every op (doneIn from the partitions' records). */
interface Shared {
  alerts: Record<string, Record<string, KeyState>>;
  ops: AlertOp[];
  done: Map<number, Set<string>>;
}

function readFor(shared: Shared, held: ReadonlySet<number>): StateData {
  const data = emptyState();
  for (const [name, keys] of Object.entries(shared.alerts)) if (held.has(partitionOf(name))) data.alerts[name] = { keys: structuredClone(keys) };
  data.ops = shared.ops.map((op) => ({ ...structuredClone(op), doneIn: [...shared.done].filter(([, ids]) => ids.has(op.id)).map(([p]) => p) }));
  return data;
}

function commitFrom(shared: Shared, data: StateData, held: ReadonlySet<number>): void {
  for (const [name, state] of Object.entries(data.alerts)) if (held.has(partitionOf(name))) shared.alerts[name] = state.keys;
  for (const op of data.ops ?? []) for (const p of op.doneIn ?? []) if (held.has(p)) (shared.done.get(p) ?? shared.done.set(p, new Set()).get(p)!).add(op.id);
}

test('property: whatever the order of runs and hosts, each op is applied at most once per partition, exactly once when held, and an ack never lands on a firing that began after it', async () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('op' as const), op: fc.constantFrom('ack' as const, 'handled' as const), alert: fc.constantFrom(...names, '*'), key: fc.option(fc.constantFrom('root', 'other'), { nil: undefined }) }),
    fc.record({ kind: fc.constant('resolve' as const), alert: fc.constantFrom(...names), key: fc.constantFrom('root', 'other'), again: fc.boolean() }),
    fc.record({ kind: fc.constant('round' as const), hosts: fc.array(fc.subarray(names.map(partitionOf)), { minLength: 1, maxLength: 3 }), order: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }) }),
  );
  await checkProperty('queued ops: at most once per partition', fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
    let clock = NOW;
    const shared: Shared = { alerts: {}, ops: [], done: new Map() };
    for (const name of names) shared.alerts[name] = { root: firing(clock - 10 * MIN), other: firing(clock - 10 * MIN) };
    const applied = new Map<string, number>();
    const count = (audit: ReturnType<typeof applyQueuedOps>) => {
      // One run applying an op to an alert gives one entry per key at most; count the runs that did, per (op, alert).
      const touched = new Set(audit.filter((e) => e.event === 'op_applied' || e.event === 'op_skipped').map((e) => `${e.id}/${e.alert}`));
      for (const what of touched) applied.set(what, (applied.get(what) ?? 0) + 1);
    };
    const round = (hosts: number[][], order: number[]) => {
      clock += MIN;
      // Leases keep the hosts of one round on disjoint partitions; they all read before any commits.
      const taken = new Set<number>();
      const runs = hosts.map((ps) => new Set(ps.filter((p) => !taken.has(p) && (taken.add(p), true))));
      const read = runs.map((held) => ({ held, data: readFor(shared, held) }));
      for (const r of read) count(applyQueuedOps(r.data, { host: 'h', partitions: r.held, coordinator: false, took: [] }, clock));
      const sequence = read.map((r, i) => ({ r, o: order[i] ?? 0 })).sort((x, y) => x.o - y.o);
      for (const { r } of sequence) commitFrom(shared, r.data, r.held);
    };
    let n = 0;
    for (const s of steps) {
      clock += 1000;
      if (s.kind === 'op') {
        const data = { ...emptyState(), ops: shared.ops };
        queueOp(data, { op: s.op, alert: s.alert, ...(s.key ? { key: s.key } : s.op === 'handled' || s.alert === '*' ? { key: 'root' } : {}), by: `p${n++}`, ...(s.op === 'handled' ? { how: 'promoted' } : {}) }, clock);
        if (s.alert === '*' && s.op === 'ack') shared.ops.pop();
      } else if (s.kind === 'resolve') {
        const key = shared.alerts[s.alert]![s.key]!;
        delete key.acknowledged;
        delete key.handled;
        key.resolvedAt = clock;
        if (s.again) key.lastFired = clock + 500;
      } else round(s.hosts, s.order);
    }
    round([names.map(partitionOf)], [0]);
    for (const [what, times] of applied) assert.ok(times <= 1, `${what} applied ${times} times`);
    for (const op of shared.ops) for (const p of opPartitions(op).filter((p) => names.some((a) => partitionOf(a) === p))) assert.ok(shared.done.get(p)?.has(op.id), `op ${op.id} done in ${p}`);
    for (const keys of Object.values(shared.alerts)) {
      for (const key of Object.values(keys)) {
        if (key.acknowledged && key.resolvedAt !== undefined) assert.ok(key.acknowledged.at > key.resolvedAt, 'an ack never lands on a firing that began after it');
        if (key.acknowledged) assert.ok(key.acknowledged.at >= key.firstSeen);
      }
    }
    assert.ok(PARTITIONS >= names.length);
  }), 300);
});

test('property: op documents of any shape (hand-edited, another version\'s) never throw and change no key unless they are well-formed', async () => {
  await checkProperty('queued ops: any shape', fc.property(fc.array(fc.anything(), { maxLength: 6 }), fc.array(fc.record({ op: fc.constantFrom('ack', 'handled', 'nuke'), id: fc.oneof(fc.string(), fc.integer()), alert: fc.oneof(fc.constantFrom(...names, '*'), fc.integer()), key: fc.oneof(fc.constant('root'), fc.constant(undefined), fc.integer()), by: fc.oneof(fc.string(), fc.constant(null)), at: fc.oneof(fc.constant(NOW - MIN), fc.constant(Number.NaN), fc.string()), doneIn: fc.oneof(fc.constant(undefined), fc.array(fc.nat(70)), fc.string()) }, { requiredKeys: [] }), { maxLength: 6 }), (junk, shaped) => {
    const data = clusterState();
    data.ops = [...junk, ...shaped] as AlertOp[];
    const before = JSON.stringify(data.alerts);
    const audit = applyQueuedOps(data, { host: 'h', partitions: new Set(opPartitions({ alert: '*' })), coordinator: true, took: [] }, NOW);
    const wellFormed = (o: any) => (o?.op === 'ack' || o?.op === 'handled') && typeof o.id === 'string' && typeof o.alert === 'string' && typeof o.by === 'string' && Number.isFinite(o.at) && (o.key === undefined || typeof o.key === 'string') && (o.doneIn === undefined || (Array.isArray(o.doneIn)));
    if (!data.ops.some(wellFormed)) assert.equal(JSON.stringify(data.alerts), before);
    for (const e of audit) assert.ok(typeof e.id === 'string');
    pruneOps(data, NOW);
    assert.ok(data.ops.every(wellFormed));
  }), 300);
});

test('a queued chat allow-list change is seen by every host, applied and dequeued by the coordinator once; an allowance given again after it is kept', () => {
  const entry = (id: string, at: number) => ({ id, title: `chat ${id}`, kind: 'supergroup', at });
  const host = clusterState();
  chatsOf(host, 'bot').allowed = { '-1001': entry('-1001', NOW - 60 * MIN), '-7': entry('-7', NOW - 60 * MIN), '-1002': entry('-1002', NOW - 60 * MIN) };
  assert.equal(queueChatChange(host, 'bot', { change: 'unreachable', id: '-1001' }, NOW), true);
  assert.equal(queueChatChange(host, 'bot', { change: 'unreachable', id: '-1001' }, NOW + MIN), false, 'the same change is queued once (its reader tells nobody again)');
  assert.equal(queueChatChange(host, 'bot', { change: 'moved', id: '-7', to: '-1003' }, NOW), true);
  assert.equal(queueChatChange(host, 'bot', { change: 'unreachable', id: '-1002' }, NOW), true);
  assert.equal(queueChatChange(emptyState(), 'bot', { change: 'unreachable', id: '-1001' }, NOW), true, 'the file backend: nothing queued, the change is the caller\'s');
  // The coordinator's view: its meta document still has every chat; the administrator allowed -1002 again since.
  const coordinator = clusterState();
  coordinator.ops = structuredClone(host.ops);
  chatsOf(coordinator, 'bot').allowed = { '-1001': entry('-1001', NOW - 60 * MIN), '-7': entry('-7', NOW - 60 * MIN), '-1002': entry('-1002', NOW + 2 * MIN) };
  const other = structuredClone(coordinator);
  assert.deepEqual(applyQueuedOps(other, holding(A), NOW + 3 * MIN), [], 'another host only sees the changes');
  assert.deepEqual(Object.keys(chatsOf(other, 'bot').allowed).sort(), ['-1002', '-1003']);
  assert.equal(other.ops!.length, 3, 'still queued for the coordinator');
  const audit = applyQueuedOps(coordinator, { ...holding(), coordinator: true }, NOW + 3 * MIN);
  assert.deepEqual(audit.map((e) => `${e.event} ${e.change} ${e.chat}`), ['chat_allow_list unreachable -1001', 'chat_allow_list moved -7']);
  assert.deepEqual(Object.keys(chatsOf(coordinator, 'bot').allowed).sort(), ['-1002', '-1003']);
  assert.equal(chatsOf(coordinator, 'bot').allowed['-1003']!.kind, 'supergroup');
  assert.deepEqual(coordinator.ops, [], 'dequeued: the coordinator deletes their documents');
  assert.deepEqual(applyQueuedOps(coordinator, { ...holding(), coordinator: true }, NOW + 4 * MIN), [], 'applied once');
});
