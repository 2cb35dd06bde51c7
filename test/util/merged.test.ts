import assert from 'node:assert/strict';
import { test } from 'node:test';
import { merged, omitted } from '../../src/util/merged.js';

test('merged builds what an object spread builds: keys in first-seen order, a later value wins, false/undefined parts add nothing', () => {
  const base = { query: { match_all: {} }, size: 5, _source: ['a'] };
  const extra = { size: 0, aggs: { x: 1 } };
  const built = merged(base, extra, false, undefined, null);
  assert.deepEqual(built, { ...base, ...extra });
  assert.deepEqual(Object.keys(built), Object.keys({ ...base, ...extra }));
  assert.notEqual(built, base, 'a new object');
  assert.deepEqual(base, { query: { match_all: {} }, size: 5, _source: ['a'] }, 'the parts are left as they were');
});

test('merged and omitted keep a "__proto__" key of parsed (possibly attacker-written) data as an own property, never the prototype', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
  for (const copy of [merged(parsed), omitted(parsed, new Set(['a']))]) {
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { polluted: true });
  }
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
});

test('omitted is the rest of a destructuring: every key but those named, in order', () => {
  const { query: _q, size: _s, ...rest } = { query: 1, runtime_mappings: { f: {} }, size: 3, _source: false };
  const left = omitted({ query: 1, runtime_mappings: { f: {} }, size: 3, _source: false }, new Set(['query', 'size']));
  assert.deepEqual(left, rest);
  assert.deepEqual(Object.keys(left), Object.keys(rest));
});
