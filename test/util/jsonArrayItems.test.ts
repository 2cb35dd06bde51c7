import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonArrayItems } from '../../src/util/jsonArrayItems.js';

const parsedItems = (text: string) => jsonArrayItems(text, 'responses')?.items.map((item) => JSON.parse(item) as unknown);

test('the items of the array member parse to what JSON.parse reads, and the other members are parsed', () => {
  const answer = {
    took: 12,
    responses: [
      { hits: { hits: [{ _source: { msg: 'a "quoted" ]} {[ text\\', path: 'C:\\\\x\\\\', empty: '', nested: [[], {}, [{ a: [1, 2] }]] } }] }, status: 200 },
      { error: { type: 'x', reason: '},{"took":1}' }, status: 400 },
      [],
      'text',
      42,
      null,
      true,
      { '\u2028': '\u00e9\ud83d\ude00', n: -1.5e-3 },
    ],
    after: { x: [1] },
  };
  for (const text of [JSON.stringify(answer), JSON.stringify(answer, null, 2)]) {
    const cut = jsonArrayItems(text, 'responses')!;
    assert.deepEqual(cut.items.map((item) => JSON.parse(item) as unknown), answer.responses);
    assert.equal(cut.others.get('took'), 12);
    assert.deepEqual(cut.others.get('after'), { x: [1] });
  }
  assert.deepEqual(parsedItems('{"responses":[]}'), []);
  assert.deepEqual(parsedItems(' { "responses" : [ 1 , 2 ] } \n'), [1, 2]);
});

test('a text that is not one JSON object with one such array gives nothing (JSON.parse is left to say what is wrong)', () => {
  const wrong = [
    '',
    'not json',
    '[{"responses":[]}]',
    '{}',
    '{"took":1}',
    '{"responses":{"0":{}}}',
    '{"responses":[{"a":1}',
    '{"responses":[{"a":"1}]}',
    '{"responses":[{"a":1}]',
    '{"responses":[{"a":1}]}x',
    '{"responses":[1,]}',
    '{"responses":[1] "took":1}',
    '{"responses":[1],"responses":[2]}',
    '{"took":tru e,"responses":[]}',
    '{"took":1,,"responses":[]}',
    '{responses:[]}',
  ];
  for (const text of wrong) assert.equal(jsonArrayItems(text, 'responses'), undefined, text);
});

test('a text whose brackets balance but whose content is not JSON is never cut: JSON.parse of the whole text says what is wrong', () => {
  const damaged = [
    '{"responses":[{"a":1},{"b":nope},{"c":[}]]}',
    '{"responses":[{"c":[}]]}',
    '{"responses":[{"a":1}}]}',
    '{"responses":[{"a" 1}]}',
    '{"responses":[{"a":1,}]}',
    '{"responses":[{1:1}]}',
    '{"responses":["\\x"]}',
    '{"responses":["\\u12g4"]}',
    '{"responses":["a\nb"]}',
    '{"responses":[01]}',
    '{"responses":[1.]}',
    '{"responses":[-]}',
    '{"responses":[1e]}',
    '{"responses":[nul]}',
    '{"responses":[truex]}',
    // The review's smallest case: one byte changed in the first item's key; a loose cut gave search 1 search 2's item.
    '{"took":3,"responses":[{"i""0,"m":"ok"},{"i":1,"m":"\\\\\\""},{"i":2,"m":"{["}]}',
  ];
  for (const text of damaged) {
    assert.throws(() => JSON.parse(text), text);
    assert.equal(jsonArrayItems(text, 'responses'), undefined, text);
  }
  assert.deepEqual(parsedItems('{"responses":[-0.5E+3,0,1e-2,"\\u00e9\\/\\b\\f\\n\\r\\t",true,false,null,{"a":{"b":[[]]}}]}'), [-500, 0, 0.01, 'é/\b\f\n\r\t', true, false, null, { a: { b: [[]] } }]);
});

test('property: a valid answer is cut into what JSON.parse reads; one damaged in one or two bytes is either not cut or cut exactly as JSON.parse reads it', async () => {
  const { default: fc } = await import('fast-check');
  const { checkProperty } = await import('../support/property.js');
  // Log text an attacker writes: quotes, backslashes, brackets, escapes.
  const hostile = fc.array(fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'a', '\\"', '\\\\', '},{', '"]', 'é', '\n'), { maxLength: 12 }).map((parts) => parts.join(''));
  const value = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostile, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(hostile, tie('value'), { maxKeys: 4 }),
  })).value;
  const answer = fc.record({ took: fc.nat(), responses: fc.array(fc.record({ i: fc.nat(), m: hostile, v: value }), { maxLength: 5 }) });
  const damage = fc.array(fc.record({ at: fc.nat(), byte: fc.constantFrom(...'"\\{}[],: 0a-.e'.split('')) }), { minLength: 1, maxLength: 2 });
  await checkProperty(
    'jsonArrayItems cuts only what JSON.parse reads the same way',
    fc.property(answer, fc.boolean(), damage, (whole, pretty, changes) => {
      const text = pretty ? JSON.stringify(whole, null, 1) : JSON.stringify(whole);
      assert.deepEqual(parsedItems(text), JSON.parse(text).responses);
      const chars = [...text];
      for (const change of changes) chars[change.at % chars.length] = change.byte;
      const damaged = chars.join('');
      const cut = jsonArrayItems(damaged, 'responses');
      if (!cut) return;
      const parsed = JSON.parse(damaged) as { responses: unknown[]; took?: unknown };
      assert.deepEqual(cut.items.map((item) => JSON.parse(item) as unknown), parsed.responses, damaged);
      assert.deepEqual(cut.others.get('took'), parsed.took, damaged);
    }),
    300,
  );
});

test('a member named __proto__ is kept as a member, never as a prototype', () => {
  const cut = jsonArrayItems('{"__proto__":{"polluted":1},"responses":[]}', 'responses')!;
  assert.deepEqual(cut.others.get('__proto__'), { polluted: 1 });
  assert.equal(({} as { polluted?: number }).polluted, undefined);
});
