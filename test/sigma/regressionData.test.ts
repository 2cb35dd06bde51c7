// The regression fixtures' sample reader: the snapshot's back-to-back pretty-printed objects, and the layouts
// SigmaHQ's later json/ndjson tests use (one object; one per line), or an array.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSamples, regressionCases } from './regressionData.js';

test('samples: back-to-back objects, one object, one per line, an array; braces and quotes inside strings do not split', () => {
  const a = { Event: { EventData: { CommandLine: 'cmd /c "echo {x}" \\ }' } } };
  const b = { Event: { System: { EventID: 1 } } };
  assert.deepEqual(parseSamples(`${JSON.stringify(a, null, 2)}\n${JSON.stringify(b, null, 2)}\n`), [a, b]);
  assert.deepEqual(parseSamples(JSON.stringify(a)), [a]);
  assert.deepEqual(parseSamples(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`), [a, b]);
  assert.deepEqual(parseSamples(JSON.stringify([a, b])), [a, b]);
  assert.throws(() => parseSamples('{"a": 1} x'), /unexpected "x" at offset 9/);
  assert.throws(() => parseSamples('{"a": {"b": 1}'), /not closed/);
});

test('every fixture rule with regression data has samples and its info.yml expectation', () => {
  const cases = regressionCases();
  assert.equal(cases.length, 202);
  assert.equal(cases.reduce((n, c) => n + c.samples.length, 0), 238);
  assert.deepEqual(cases.filter((c) => c.noSamples).map((c) => c.file), []);
  assert.equal(cases.filter((c) => c.matchCount === undefined).length, 30, 'info.yml entries without match_count (any match passes)');
});
