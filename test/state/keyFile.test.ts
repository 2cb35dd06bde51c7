import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AlertBase } from '../../src/model/alert.js';
import type { KeyState, StateData } from '../../src/model/state.js';
import { decideStage } from '../../src/run/decideStage.js';
import { FileStateStore } from '../../src/state/fileStore.js';
import { isKeyFile } from '../../src/state/keyFile.js';
import { keyTableOf } from '../../src/state/keyTable.js';
import { summariseKeys, unloadedKeySummary } from '../../src/state/keyHistory.js';
import { pruneState } from '../../src/state/prune.js';
import { plainMap } from '../../src/util/plainMap.js';
import { contentOf } from '../support/content.js';
import { checkProperty } from '../support/property.js';

// The key file's format (one line per key, files of changes, compaction) against the plain whole-object map the
// older format stored: whatever a run reads, writes, deletes or prunes, and wherever it is killed, the next run reads
// what a plain map would hold, in the same order.

const NOW = Date.parse('2026-11-25T10:00:00Z');
const DAY = 86_400_000;

function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-keyfile-'));
  return { file: join(dir, 'state.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every alert's keys as plain JSON, in the map's order (the order is part of what is compared). */
function keysOf(data: StateData): [string, [string, unknown][]][] {
  return Object.entries(data.alerts).map(([name, state]) => [name, Object.entries(state.keys).map(([key, value]) => [key, contentOf(value)])]);
}

const ALERTS = ['a', 'b', '__proto__'];
const KEYS = ['k', 'x y', '1', '10', '0', '__proto__', 'constructor', 'tab\there', 'quote"', 'é', '\ud83d\ude00', ''];
const time = fc.integer({ min: NOW - 10 * DAY, max: NOW });
const keyState = fc.record(
  {
    firstSeen: time,
    lastSeen: time,
    fired: fc.nat(5),
    lastFired: time,
    resolvedAt: time,
    acknowledged: fc.record({ at: time, by: fc.constantFrom('alice', 'bob') }),
    // Now and then a long title, so that the changes outgrow the key file and are folded into a new one.
    lastTitle: fc.constantFrom('t', 'x'.repeat(70_000)),
  },
  { requiredKeys: ['firstSeen', 'lastSeen', 'fired'] },
).map((value) => ({ ...value, delivered: plainMap<number>() }) as KeyState);
const op = fc.oneof(
  fc.record({ op: fc.constant('set' as const), alert: fc.constantFrom(...ALERTS), key: fc.constantFrom(...KEYS), value: keyState }),
  fc.record({ op: fc.constant('touch' as const), alert: fc.constantFrom(...ALERTS), key: fc.constantFrom(...KEYS), at: time }),
  fc.record({ op: fc.constant('delete' as const), alert: fc.constantFrom(...ALERTS), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('drop' as const), alert: fc.constantFrom(...ALERTS) }),
  fc.record({ op: fc.constant('prune' as const), age: fc.integer({ min: 0, max: 10 * DAY }) }),
  fc.record({ op: fc.constant('commit' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
// `look`: the run reads every key first (the key lines get indexed); else it reads only the keys its operations name
// (each found by searching the key file's text) and the index is built, if ever, later.
const run = fc.record({ ops: fc.array(op, { maxLength: 12 }), end: fc.constantFrom('commit', 'kill', 'killMidWrite'), look: fc.boolean() });

/** A copy of a state's alerts and keys as plain maps (keeping their order). */
function copyOf(data: StateData): StateData {
  const copy = JSON.parse(JSON.stringify(data)) as StateData;
  // The file store's receipts are read from their log on demand (no enumerable field): the model keeps them as a list.
  copy.sent = [...data.sent];
  const alerts = plainMap<StateData['alerts'][string]>();
  for (const [name, state] of Object.entries(copy.alerts)) alerts[name] = { ...state, keys: Object.assign(plainMap<KeyState>(), state.keys) };
  copy.alerts = alerts;
  return copy;
}

/** Applies one operation to a state (the store's, or the plain model): both must end alike. */
function apply(data: StateData, o: Op): void {
  if (o.op === 'commit') return;
  if (o.op === 'prune') return pruneState(data, NOW, o.age, new Set(ALERTS.slice(0, 1)));
  if (o.op === 'drop') {
    delete data.alerts[o.alert];
    return;
  }
  const state = (data.alerts[o.alert] ??= { keys: plainMap() });
  if (o.op === 'set') state.keys[o.key] = structuredClone(o.value);
  if (o.op === 'delete') delete state.keys[o.key];
  if (o.op === 'touch') {
    const key = state.keys[o.key];
    if (key) {
      key.lastSeen = o.at;
      key.fired++;
    }
  }
}

test('property: any sequence of key writes, reads, deletes, prunes and kills through the key files gives what a plain map gives', async () => {
  await checkProperty(
    'key files equal a plain map',
    fc.asyncProperty(fc.array(run, { minLength: 1, maxLength: 6 }), async (runs) => {
      const { file, cleanup } = folder();
      try {
        const store = new FileStateStore(file, 1_000);
        let model: StateData = (await store.peek()).data;
        for (const { ops, end, look } of runs) {
          const tx = await store.begin();
          if (look) assert.deepEqual(keysOf(tx.data), keysOf(model), 'a run reads what the last commit wrote');
          const working = copyOf(model);
          let written = model;
          for (const o of ops) {
            apply(tx.data, o);
            apply(working, o);
            if (o.op === 'commit') {
              await tx.commit();
              written = copyOf(working);
            }
            if (o.op !== 'prune' && o.op !== 'commit' && o.op !== 'drop') assert.deepEqual(contentOf(tx.data.alerts[o.alert]?.keys[o.key]), contentOf(working.alerts[o.alert]?.keys[o.key]));
          }
          if (end === 'commit') await tx.commit();
          if (end === 'killMidWrite') writeFileSync(`${file}.keys-999999.1`, 'alertcron keys 2\nA\t"a"\t{"count":1}\t3\nxx\n');
          await tx.release();
          // A killed run leaves what its last commit wrote.
          model = end === 'commit' ? working : written;
          assert.deepEqual(keysOf((await store.peek()).data), keysOf(model));
        }
        const last = await store.begin();
        // The summaries the headers say (what a run that reads no key goes by) are those of the keys.
        for (const [name, state] of Object.entries(last.data.alerts)) {
          const told = unloadedKeySummary(state);
          if (!told) continue;
          const keys = summariseKeys(model.alerts[name]?.keys ?? {});
          assert.deepEqual([told.count, [...told.attention].sort(), [...told.firing].sort()], [keys.count, keys.attention.sort(), keys.firing.sort()], `the summary of ${name}`);
        }
        assert.deepEqual(keysOf(last.data), keysOf(model));
        await last.release();
        const named = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
        const files = readdirSync(dirname(file)).filter((f) => f.includes('.keys-'));
        assert.deepEqual(files.sort(), [named.keyFile, ...(named.keyDeltas ?? [])].filter((f) => f !== undefined).sort(), 'no key file left that state.json does not name');
        assert.ok((named.keyDeltas ?? []).length <= 8, 'files of changes are merged');
      } finally {
        cleanup();
      }
    }),
    40,
  );
});

test('an older key file (one line per alert) is read, and written once in the per-key format', async () => {
  const { file, cleanup } = folder();
  try {
    const key = (seen: number) => ({ firstSeen: seen, lastSeen: seen, lastFired: seen, fired: 1, delivered: { 'soc-slack': seen } });
    const keys = { alice: key(NOW - 5), '7': key(NOW - 6) };
    writeFileSync(`${file}.keys-3.1`, `${JSON.stringify('quiet')}\t${JSON.stringify({ count: 2, attention: 0, firing: 2, oldestSeen: NOW - 6 })}\t${JSON.stringify(keys)}\n`);
    writeFileSync(file, JSON.stringify({ version: 1, alerts: { quiet: { lastRunAt: NOW } }, pending: [], sent: [], silences: [], sources: {}, cursors: {}, keyFile: 'state.json.keys-3.1' }));
    const store = new FileStateStore(file, 1_000);
    const first = await store.begin();
    assert.deepEqual(contentOf(first.data.alerts.quiet!.keys), { '7': key(NOW - 6), alice: key(NOW - 5) });
    await first.commit();
    await first.release();
    const head = JSON.parse(readFileSync(file, 'utf8'));
    assert.notEqual(head.keyFile, 'state.json.keys-3.1');
    assert.ok(isKeyFile(readFileSync(join(dirname(file), head.keyFile), 'utf8')), 'moved to the per-key format');
    const again = await store.begin();
    assert.deepEqual(contentOf(again.data.alerts.quiet!.keys), { '7': key(NOW - 6), alice: key(NOW - 5) });
    await again.commit();
    await again.release();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).keyFile, head.keyFile, 'moved once: nothing to write again');
  } finally {
    cleanup();
  }
});

test('a run over an alert with many keys parses only the keys it finds and those its summary names: the absent-key walk, pruning and the commit read no other key', async () => {
  const { file, cleanup } = folder();
  try {
    const MIN = 60_000;
    const alert = { name: 'users', file: 'alerts/users.yaml', description: '', source: 'elasticsearch', every: MIN, throttle: MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], resolve_after: 1, title: 'U {{key}}', group_by: ['user.name'] } as AlertBase;
    const quiet = (i: number): KeyState => ({ firstSeen: NOW - DAY, lastSeen: NOW - DAY + i, lastFired: NOW - DAY, resolvedAt: NOW - DAY + 1, fired: 1, delivered: plainMap() });
    const store = new FileStateStore(file, 1_000);
    const seed = await store.begin();
    const keys = plainMap<KeyState>();
    for (let i = 0; i < 2_000; i++) keys[`u${i}`] = quiet(i);
    keys.firing = { firstSeen: NOW - 5 * MIN, lastSeen: NOW - 5 * MIN, lastFired: NOW - 5 * MIN, fired: 1, delivered: Object.assign(plainMap<number>(), { slack: NOW - 5 * MIN }) };
    keys.acked = { ...quiet(0), acknowledged: { at: NOW - MIN, by: 'alice' } };
    seed.data.alerts.users = { lastRunAt: NOW - MIN, window: { from: NOW - 2 * MIN, to: NOW - MIN }, keys };
    await seed.commit();
    await seed.release();

    const tx = await store.begin();
    const found = { key: 'u7', count: 1, fields: {}, samples: [] };
    const decided = decideStage([{ alert, window: { from: NOW - MIN, to: NOW }, request: undefined, ok: true as const, findings: [found] }], tx.data, new Map(), NOW, { fixedWindow: false, includeRequests: false, maxFindings: 100, resolveSetting: () => ({ sendResolved: true }) });
    pruneState(tx.data, NOW, 7 * DAY, new Set(['users']));
    await tx.commit();
    const table = keyTableOf(tx.data.alerts.users!.keys)!;
    assert.deepEqual(table.touched().length, 3, 'u7, firing and acked were parsed, none of the 2,000 others');
    assert.deepEqual(decided.deliveries.map((d) => [d.key, d.reason]).sort(), [['firing', 'resolved'], ['u7', 'first']]);
    await tx.release();
    const { data } = await store.peek();
    assert.equal(data.alerts.users!.keys.acked!.acknowledged, undefined);
    assert.equal(data.alerts.users!.keys.firing!.resolvedAt, NOW);
    assert.equal(Object.keys(data.alerts.users!.keys).length, 2_002);
  } finally {
    cleanup();
  }
});

test('alerts without keys have no lines in the key file: 1,000 key-less alerts and one with a key write one section', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const tx = await store.begin();
    for (let i = 0; i < 1_000; i++) tx.data.alerts[`quiet-${i}`] = { lastRunAt: NOW, keys: plainMap() };
    tx.data.alerts.busy = { lastRunAt: NOW, keys: Object.assign(plainMap<KeyState>(), { k: { firstSeen: NOW, lastSeen: NOW, fired: 0, delivered: plainMap() } }) };
    await tx.commit();
    await tx.release();
    const text = readFileSync(join(dirname(file), JSON.parse(readFileSync(file, 'utf8')).keyFile), 'utf8');
    assert.deepEqual(text.split('\n').filter((line) => /^[AU]\t/.test(line)).map((line) => line.split('\t')[1]), ['"busy"']);
    assert.equal(text.split('\n').length, 4, 'the first line, the section header, the key, and the end');
  } finally {
    cleanup();
  }
});

test('runs that read and change a few keys of an alert with many (found by searching the key files, none indexed), then many around a commit (the lines get indexed mid-run), write what a plain map holds, in its order, and its summary', async () => {
  const { file, cleanup } = folder();
  try {
    const key = (i: number, more: Partial<KeyState> = {}): KeyState => ({ firstSeen: NOW - DAY, lastSeen: NOW - DAY + i, lastFired: NOW - DAY, fired: 1, delivered: plainMap(), ...more });
    const store = new FileStateStore(file, 1_000);
    const seed = await store.begin();
    const model = plainMap<KeyState>();
    for (let i = 0; i < 2_000; i++) model[`u${i}`] = key(i, i % 500 === 5 ? { acknowledged: { at: NOW - DAY, by: 'alice' } } : {});
    seed.data.alerts.users = { keys: Object.assign(plainMap<KeyState>(), structuredClone(model)) };
    await seed.commit();
    await seed.release();
    type Step = (keys: Record<string, KeyState>) => void;
    // 40 distinct keys: new ones, deleted ones, deleted and added again, absent ones deleted, changed ones.
    const many: Step[] = [];
    for (let i = 0; i < 40; i++) {
      if (i % 4 === 0) many.push((k) => (k[`new${i}`] = key(i)));
      if (i % 4 === 1) many.push((k) => delete k[`u${100 + i}`]);
      if (i % 4 === 2) many.push((k) => (delete k[`u${200 + i}`], (k[`u${200 + i}`] = key(i, { fired: 5 }))));
      if (i % 4 === 3) many.push((k) => (delete k[`gone${i}`], (k[`u${300 + i}`]!.lastFired = NOW)));
    }
    // Each run's steps, on the store's keys and on the model alike; each run commits after its first steps
    // (`commitAfter`) and at its end, and the next run reads what it wrote. `few`: two keys only, none indexed;
    // `indexedBy`: the searches went over about twice the key text (three of the keys of `many`), the lines are indexed.
    const runs: { steps: Step[]; commitAfter: number; few: boolean; indexedBy?: number }[] = [
      { steps: [(k) => (k.u7!.lastSeen = NOW), (k) => delete k.u505!.acknowledged], commitAfter: 1, few: true },
      { steps: [(k) => (k.fresh = key(1)), (k) => delete k.u8, (k) => (k.fresh!.fired = 3)], commitAfter: 1, few: true },
      { steps: [(k) => delete k.fresh, (k) => (k.u8 = key(8)), ...many, (k) => (k.fresh = key(2)), (k) => delete k.u7], commitAfter: 2, few: false, indexedBy: 6 },
      { steps: [], commitAfter: 0, few: true },
    ];
    for (const [n, run] of runs.entries()) {
      const tx = await store.begin();
      const keys = tx.data.alerts.users!.keys;
      const table = keyTableOf(keys)!;
      for (const [i, step] of run.steps.entries()) {
        step(keys);
        step(model);
        if (i + 1 === run.commitAfter) {
          await tx.commit();
          assert.equal(table.indexed, false, `run ${n}: nothing indexed before the commit mid-run`);
        }
        if (i + 1 === run.indexedBy) assert.equal(table.indexed, true, `run ${n}: indexed once the searches went over twice the text, not after a number of keys`);
      }
      await tx.commit();
      assert.equal(table.indexed, !run.few, `run ${n}: indexed only past a few keys`);
      if (run.few) assert.ok(table.touched().length <= 2, `run ${n}: only the keys named were parsed`);
      await tx.release();
      const next = await store.begin();
      const told = unloadedKeySummary(next.data.alerts.users!)!;
      const plain = summariseKeys(model);
      assert.deepEqual([told.count, [...told.attention].sort(), [...told.firing].sort()], [plain.count, plain.attention.sort(), plain.firing.sort()], `the summary after run ${n}`);
      assert.deepEqual(Object.entries(next.data.alerts.users!.keys).map(([k, v]) => [k, contentOf(v)]), Object.entries(model).map(([k, v]) => [k, contentOf(v)]), `the keys after run ${n}`);
      await next.release();
    }
  } finally {
    cleanup();
  }
});
