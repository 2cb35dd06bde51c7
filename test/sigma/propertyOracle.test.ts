// The property tests' oracle (test/support/sigmaEvaluate.ts) against cases written from the Sigma specification, so
// that a disagreement with the compiler points at the compiler, not at the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inNetwork, sigmaEvaluate, sigmaStringParts, type EvalItem, type EvalRule } from '../support/sigmaEvaluate.js';
import { ruleYaml } from './propertyRules.js';

const one = (field: string, modifiers: string[], ...values: (string | number | boolean | null)[]): EvalRule => ({
  detections: { sel: { kind: 'map', items: [{ field, modifiers, values }] } },
  condition: 'sel',
});
const hit = (rule: EvalRule, doc: Record<string, unknown>): boolean => sigmaEvaluate(rule, doc);

test('plain strings match whole values case-insensitively; * and ? are wildcards; \\* \\? \\\\ are literal', () => {
  assert.equal(hit(one('a', [], 'whoami.EXE'), { a: 'WHOAMI.exe' }), true);
  assert.equal(hit(one('a', [], 'whoami'), { a: 'whoami.exe' }), false);
  assert.equal(hit(one('a', [], 'who*.exe'), { a: 'WhoAmI.exe' }), true);
  assert.equal(hit(one('a', [], 'wh?ami'), { a: 'whoami' }), true);
  assert.equal(hit(one('a', [], 'a\\*b'), { a: 'axb' }), false);
  assert.equal(hit(one('a', [], 'a\\*b'), { a: 'a*b' }), true);
  assert.equal(hit(one('a', [], 'C:\\Windows\\'), { a: 'c:\\windows\\' }), true, 'a backslash before a normal character is literal');
  assert.equal(hit(one('a', [], 'x\\\\*'), { a: 'x\\anything' }), true, '\\\\ is one literal backslash, the * stays a wildcard');
  assert.deepEqual(sigmaStringParts('a\\?\\\\b*'), [{ lit: 'a?\\b' }, { wild: '*' }]);
  assert.equal(hit(one('a', ['cased'], 'Abc'), { a: 'abc' }), false);
  assert.equal(hit(one('a', [], 'É'), { a: 'é' }), false, "case folding is ASCII's, as the engines' case_insensitive");
  assert.equal(hit(one('a', ['contains', 'cased'], 'Abc'), { a: 'xAbcx' }), true);
});

test('contains, startswith, endswith, all and lists', () => {
  assert.equal(hit(one('a', ['contains'], 'AMI'), { a: 'whoami.exe' }), true);
  assert.equal(hit(one('a', ['startswith'], 'WHO'), { a: 'whoami' }), true);
  assert.equal(hit(one('a', ['endswith'], '.exe'), { a: 'x.EXE.bak' }), false);
  assert.equal(hit(one('a', ['contains'], 'zz', 'ami'), { a: 'whoami' }), true, 'a list is an OR');
  assert.equal(hit(one('a', ['contains', 'all'], 'zz', 'ami'), { a: 'whoami' }), false, 'all makes it an AND');
  assert.equal(hit(one('a', ['contains', 'all'], 'who', 'ami'), { a: 'whoami' }), true);
});

test('encodings: base64, base64offset, wide; windash variants', () => {
  assert.equal(hit(one('a', ['base64'], 'abc'), { a: 'YWJj' }), true);
  for (const doc of ['YWJj', 'IGFiYw==', 'ICBhYmM=']) assert.equal(hit(one('a', ['base64offset', 'contains'], 'abc'), { a: `xx${doc}yy` }), true, doc);
  assert.equal(hit(one('a', ['wide', 'base64', 'contains'], 'ab'), { a: '..YQBiAA==..' }), true);
  for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.equal(hit(one('a', ['contains', 'windash'], ' -enc '), { a: `ps ${dash}enc x` }), true, dash);
  assert.equal(hit(one('a', ['windash'], 'a-b'), { a: 'a/b' }), false, 'a dash inside a word is left alone');
  assert.equal(hit(one('a', ['windash'], 'É-b'), { a: 'É/b' }), false, 'word characters are Unicode ones, as in pySigma');
  assert.equal(hit(one('a', ['windash'], '-b'), { a: '/b' }), true);
});

test('re (search, flags), cidr, numbers, compare, null, exists', () => {
  assert.equal(hit(one('a', ['re'], 'b.c'), { a: 'abxcd' }), true, 're searches, it is not anchored');
  assert.equal(hit(one('a', ['re'], '^B'), { a: 'bc' }), false, 're is case-sensitive');
  assert.equal(hit(one('a', ['re', 'i'], '^B'), { a: 'bc' }), true);
  assert.equal(hit(one('a', ['re'], '^c'), { a: 'b\nc' }), false);
  assert.equal(hit(one('a', ['re', 'm'], '^c'), { a: 'b\nc' }), true);
  assert.equal(hit(one('a', ['re', 's'], 'b.c'), { a: 'b\nc' }), true);
  assert.equal(hit(one('ip', ['cidr'], '10.0.0.0/8'), { ip: '10.2.3.4' }), true);
  assert.equal(inNetwork('fe80::1', 'fe80::/10'), true);
  assert.equal(inNetwork('fec0::1', 'fe80::/10'), false);
  assert.equal(hit(one('n', [], 4), { n: 4 }), true);
  assert.equal(hit(one('n', ['gte'], 4), { n: 4 }), true);
  assert.equal(hit(one('n', ['gt'], 4), { n: 4 }), false);
  assert.equal(hit(one('opt', [], null), {}), true);
  assert.equal(hit(one('opt', [], null), { opt: 'x' }), false);
  assert.equal(hit(one('opt', ['exists'], false), {}), true);
  assert.equal(hit(one('opt', ['exists'], true), { opt: '' }), true);
});

test('conditions: and/or/not precedence, parentheses, 1 of / all of globs, them leaves out _-names, keywords search every value', () => {
  const item = (field: string, value: string): EvalItem => ({ field, modifiers: [], values: [value] });
  const detections: EvalRule['detections'] = {
    sel1: { kind: 'map', items: [item('a', 'x')] },
    sel2: { kind: 'map', items: [item('b', 'y')] },
    _filter: { kind: 'map', items: [item('c', 'z')] },
    kw: { kind: 'keywords', values: ['needle'] },
  };
  const doc = { a: 'x', b: 'no', c: 'z', d: { e: 'hay NEEDLE hay' } };
  const rule = (condition: string): boolean => sigmaEvaluate({ detections, condition }, doc);
  assert.equal(rule('sel1 or sel2 and _filter'), true);
  assert.equal(rule('(sel1 or sel2) and not _filter'), false);
  assert.equal(rule('not sel2 and sel1'), true);
  assert.equal(rule('1 of sel*'), true);
  assert.equal(rule('all of sel*'), false);
  assert.equal(rule('all of them'), false);
  assert.equal(rule('1 of _*'), true);
  assert.equal(rule('kw'), true);
});

test('the YAML text of a random rule writes modifiers, lists, lists of maps and keywords as Sigma does', () => {
  const yaml = ruleYaml(
    {
      detections: {
        sel1: { kind: 'map', items: [{ field: 's1', modifiers: ['contains', 'all'], values: ['a\\*', 'b'] }] },
        sel2: { kind: 'maps', maps: [[{ field: 'n', modifiers: [], values: [3] }], [{ field: 'opt', modifiers: [], values: [null] }]] },
        sel3: { kind: 'keywords', values: ['kw'] },
      },
      condition: 'sel1 and not (sel2 or sel3)',
    },
    'r1',
  );
  assert.match(yaml, /  sel1:\n    s1\|contains\|all:\n      - "a\\\\\*"\n      - "b"\n  sel2:\n    - n: 3\n    - opt: null\n  sel3:\n    - "kw"\n  condition: sel1 and not \(sel2 or sel3\)/);
});
