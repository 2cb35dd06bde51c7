import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateState } from '../../src/state/migrate.js';
import { settleState } from '../../src/state/settle.js';
import { isChatId } from '../../src/util/chatId.js';
import { isStoredTime } from '../../src/util/epochTime.js';
import { plainCopy, plainMap } from '../../src/util/plainMap.js';
import { checkProperty, fc } from '../support/property.js';

const SPECIAL = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const name = fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 6 }));

test('property: any string is a plain key of a plainMap and a plainCopy', async () => {
  await checkProperty(
    'plain maps',
    fc.property(fc.uniqueArray(name, { maxLength: 8 }), (keys) => {
      const map = plainMap<number>(keys.map((k, i) => [k, i]));
      assert.deepEqual(Object.keys(map).sort(), [...keys].sort());
      for (const [i, k] of keys.entries()) assert.equal(map[k], i);
      for (const k of SPECIAL) if (!keys.includes(k)) assert.equal(map[k], undefined);
      const parsed = JSON.parse(JSON.stringify(map)) as Record<string, number>;
      const copy = plainCopy<number>(parsed);
      assert.deepEqual(Object.keys(copy).sort(), [...keys].sort());
    }),
    300,
  );
});

test('property: settleState takes any parsed JSON state without throwing, and leaves only well-formed parts', async () => {
  const time = fc.oneof(fc.integer({ min: 0, max: 2e12 }), fc.constantFrom(-1, 1e20, 'x', null, true), fc.double());
  const key = fc.record({ firstSeen: time, lastSeen: time, fired: fc.oneof(fc.nat(), fc.string()), delivered: fc.oneof(fc.dictionary(name, time), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] });
  const state = fc.record(
    {
      alerts: fc.oneof(fc.dictionary(name, fc.oneof(fc.record({ keys: fc.oneof(fc.dictionary(name, key), fc.jsonValue({ maxDepth: 1 })), window: fc.record({ from: time, to: time }), lastRunAt: time }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 }))), fc.jsonValue({ maxDepth: 1 })),
      pending: fc.oneof(fc.array(fc.oneof(fc.record({ id: name, alert: name, key: name, channel: name, createdAt: time, notBefore: time, labels: fc.dictionary(name, fc.string()) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 }))), fc.jsonValue({ maxDepth: 1 })),
      silences: fc.oneof(fc.array(fc.record({ id: name, alert: name, createdAt: time, endsAt: time }, { requiredKeys: [] })), fc.jsonValue({ maxDepth: 1 })),
      chats: fc.oneof(fc.dictionary(name, fc.record({ allowed: fc.dictionary(name, fc.record({ id: name, at: time }, { requiredKeys: [] })) }, { requiredKeys: [] })), fc.jsonValue({ maxDepth: 1 })),
      chatDone: fc.oneof(fc.dictionary(name, time), fc.jsonValue({ maxDepth: 1 })),
      lastRun: fc.oneof(fc.record({ startedAt: time, finishedAt: time }), fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: [] },
  );
  await checkProperty(
    'settle any state',
    fc.property(state, (raw) => {
      // As read from a file: own __proto__ members are data, as JSON.parse makes them.
      const data = migrateState(JSON.parse(JSON.stringify(raw)));
      settleState(data);
      for (const map of [data.alerts, data.sources, data.cursors]) assert.equal(Object.getPrototypeOf(map), null);
      for (const [, alert] of Object.entries(data.alerts)) {
        assert.equal(Object.getPrototypeOf(alert.keys), null);
        if (alert.window) assert.ok(isStoredTime(alert.window.from) && isStoredTime(alert.window.to));
        for (const k of Object.values(alert.keys)) {
          assert.ok(isStoredTime(k.firstSeen) && isStoredTime(k.lastSeen));
          assert.equal(Object.getPrototypeOf(k.delivered), null);
          assert.ok(Object.values(k.delivered).every(isStoredTime));
        }
      }
      for (const p of data.pending) assert.ok(typeof p.id === 'string' && isStoredTime(p.createdAt));
      for (const s of data.silences) assert.ok(isStoredTime(s.endsAt));
      for (const chats of Object.values(data.chats ?? {})) for (const list of [chats.allowed, chats.requested, chats.banned]) for (const id of Object.keys(list)) assert.ok(isChatId(id), id);
      if (data.lastRun) assert.ok(isStoredTime(data.lastRun.startedAt));
    }),
    300,
  );
});

test('an alert\'s own fields: each bad one is set aside alone, with its where and why as people read them', () => {
  const T = Date.UTC(2026, 0, 1);
  // As read from a file.
  const raw: unknown = {
    version: 1,
    alerts: {
      // A name that needs quoting in the warning.
      'a"b': { lastRunAt: -1, start: 'noon', window: 5, catchups: 'soon', lastError: 7 },
      b: { window: { from: 'x', to: T }, catchups: [T, 'later'], lastError: 'timeout' },
      c: { window: { from: T, to: null }, lastRunAt: T },
      // Only the times are settled: a window whose from is after its to is kept, as it was before 7bf2cb1.
      d: { window: { from: T + 60_000, to: T } },
    },
  };
  const data = migrateState(JSON.parse(JSON.stringify(raw)));
  const aside = settleState(data);
  assert.deepEqual(
    aside.map(({ where, why, value }) => [where, why, value]),
    [
      ['alerts["a\\"b"].lastRunAt', 'lastRunAt is -1, outside the dates alertcron writes (1970 to 9999)', -1],
      ['alerts["a\\"b"].start', 'start is a string, not a time in ms', 'noon'],
      ['alerts["a\\"b"].window', 'window is a number, not an object', 5],
      ['alerts["a\\"b"].catchups', 'catchups is a string, not a list', 'soon'],
      ['alerts["a\\"b"].lastError', 'lastError is a number, not a string', 7],
      ['alerts["b"].window', 'window: from is a string, not a time in ms', { from: 'x', to: T }],
      ['alerts["b"].catchups', 'catchups holds a value that is not a time', [T, 'later']],
      ['alerts["c"].window', 'window: to is null, not a time in ms', { from: T, to: null }],
    ],
  );
  const own = (name: string) => Object.fromEntries(Object.entries(data.alerts[name]!).filter(([field]) => field !== 'keys'));
  assert.deepEqual(own('a"b'), {}, 'each bad field is dropped');
  assert.deepEqual(own('b'), { lastError: 'timeout' }, 'a good field beside bad ones is kept');
  assert.deepEqual(own('c'), { lastRunAt: T });
  assert.deepEqual(own('d'), { window: { from: T + 60_000, to: T } });
});

test('a key with a damaged episode start loses that field alone (set aside, named), keeping its throttle, ack and deliveries', () => {
  for (const bad of ['x', null, -1, 1e20]) {
    const key = { firstSeen: 1_000, lastSeen: 5_000, lastFired: 4_000, firingSince: bad, fired: 2, delivered: { slack: 4_000 }, acknowledged: { at: 4_500, by: 'alice' } };
    const data = migrateState(JSON.parse(JSON.stringify({ alerts: { logons: { keys: { root: key } } } })));
    const aside = settleState(data);
    assert.deepEqual(aside.map((a) => [a.where, a.why.split(',')[0]]), [['alerts["logons"].keys["root"].firingSince', `firingSince is ${bad === 'x' ? 'a string' : bad === null ? 'null' : String(bad)}`]]);
    assert.deepEqual({ ...data.alerts.logons!.keys.root, delivered: { ...data.alerts.logons!.keys.root!.delivered } }, { firstSeen: 1_000, lastSeen: 5_000, lastFired: 4_000, fired: 2, delivered: { slack: 4_000 }, acknowledged: { at: 4_500, by: 'alice' } });
  }
});
