// Sigma values: the specification's escaping rules, generated wildcards and escapes round-tripping through a rule's
// YAML, and the UTF-16 and windash modifiers as the specification defines them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import { escapeSigmaString, parseSigmaString, sigmaString } from '../../src/sigma/parse/sigmaString.js';
import type { SigmaNode, SigmaRule, SigmaString } from '../../src/sigma/types.js';

const STAR = { wildcard: '*' } as const;
const QMARK = { wildcard: '?' } as const;

/** The condition tree of a one-detection rule whose detection is `body` (YAML lines under `sel:`). */
function tree(body: string): SigmaNode {
  const parsed = parseSigma(`title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n${body}\n  condition: sel\n`);
  assert.deepEqual(parsed.problems, []);
  return (parsed.documents[0] as SigmaRule).condition;
}

test("the specification's escaping rules: \\* and \\? are plain, \\\\ before a wildcard is a backslash, a backslash before anything else stays", () => {
  const cases: [string, SigmaString['parts']][] = [
    ['C:\\Windows\\System32', ['C:\\Windows\\System32']],
    ['C:\\\\Windows', ['C:\\Windows']],
    ['a\\*b', ['a*b']],
    ['a\\?b', ['a?b']],
    ['dir\\\\*', ['dir\\', STAR]],
    ['dir\\\\\\*', ['dir\\*']],
    ['\\\\\\', ['\\\\']],
    ['\\\\\\\\', ['\\\\']],
    ['trailing\\', ['trailing\\']],
    ['a?b*', ['a', QMARK, 'b', STAR]],
    ['**', [STAR, STAR]],
    ['', []],
  ];
  for (const [written, parts] of cases) assert.deepEqual(parseSigmaString(written).parts, parts, written);
});

test('property: any parts (text with * ? \\ and wildcards), written with Sigma escaping into a rule, parse back to the same parts', async () => {
  const { default: fc } = await import('fast-check');
  const { checkProperty } = await import('../support/property.js');
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '*', '?', '\\', "'", '"', ':', '%', '|', 'é', '😀', '-', '/'), minLength: 1, maxLength: 8 });
  const part = fc.oneof(text, fc.constantFrom(STAR, QMARK));
  await checkProperty(
    'Sigma string escaping round-trips through a rule',
    fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
      const value = sigmaString(parts);
      const written = escapeSigmaString(value);
      assert.deepEqual(parseSigmaString(written), value);
      // The same through YAML (a single-quoted scalar, its quote doubled) and the whole parser.
      const leaf = tree(`    Field: '${written.replace(/'/g, "''")}'`);
      assert.deepEqual(leaf, { type: 'match', field: 'Field', value });
    }),
    300,
  );
});

test('property: reading any text, writing it back and reading it again gives the same value', async () => {
  const { default: fc } = await import('fast-check');
  const { checkProperty } = await import('../support/property.js');
  await checkProperty(
    'Sigma string parse is stable under escaping',
    fc.property(fc.string({ unit: fc.constantFrom('a', '*', '?', '\\', 'b'), maxLength: 12 }), (written) => {
      const value = parseSigmaString(written);
      assert.deepEqual(parseSigmaString(escapeSigmaString(value)), value);
    }),
    500,
  );
});

test("utf16le, utf16be, utf16 (byte order mark FF FE) and wide encode the specification's bytes, ASCII or not", () => {
  const encoded = (modifier: string, value: string) => {
    const leaf = tree(`    F|${modifier}|base64: '${value}'`) as Extract<SigmaNode, { type: 'match' }>;
    return Buffer.from((leaf.value as SigmaString).parts.join(''), 'base64').toString('hex');
  };
  assert.equal(encoded('utf16le', 'cmd'), '63006d006400');
  assert.equal(encoded('wide', 'cmd'), '63006d006400');
  assert.equal(encoded('utf16be', 'cmd'), '0063006d0064');
  assert.equal(encoded('utf16', 'cmd'), 'fffe63006d006400');
  assert.equal(encoded('utf16le', 'é€'), 'e900ac20');
  const plain = tree("    F|base64: 'é'") as Extract<SigmaNode, { type: 'match' }>;
  assert.equal(Buffer.from((plain.value as SigmaString).parts.join(''), 'base64').toString('utf8'), 'é');
});

test('base64offset finds the text at each of the three offsets of a base64 stream', () => {
  const node = tree("    F|base64offset|contains: 'IEX ('") as Extract<SigmaNode, { type: 'or' }>;
  assert.equal(node.items.length, 3);
  for (const [offset, item] of node.items.entries()) {
    const fragment = ((item as Extract<SigmaNode, { type: 'match' }>).value as SigmaString).parts.filter((p) => typeof p === 'string').join('');
    const stream = Buffer.from(`${'x'.repeat(offset)}IEX (New-Object)`).toString('base64');
    assert.ok(stream.includes(fragment), `offset ${offset}: ${fragment} not in ${stream}`);
  }
});

test('windash writes each dash that starts a word in its five forms, every combination, other dashes untouched', () => {
  const node = tree("    F|windash: '-a x-y /b'") as Extract<SigmaNode, { type: 'or' }>;
  const values = node.items.map((item) => ((item as Extract<SigmaNode, { type: 'match' }>).value as SigmaString).parts.join(''));
  assert.equal(values.length, 25);
  assert.deepEqual(values.slice(0, 5), ['-a x-y -b', '-a x-y /b', '-a x-y \u2013b', '-a x-y \u2014b', '-a x-y \u2015b']);
  assert.ok(values.every((v) => v.includes('x-y')));
  assert.equal(new Set(values).size, 25);
});
