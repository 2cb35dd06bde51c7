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

test('an item whose brackets nest but whose content is not JSON is still delimited, and fails alone when parsed', () => {
  const cut = jsonArrayItems('{"responses":[{"a":1},{"b":nope},{"c":[}]]}', 'responses')!;
  assert.equal(cut.items.length, 3);
  assert.deepEqual(JSON.parse(cut.items[0]!), { a: 1 });
  assert.throws(() => JSON.parse(cut.items[1]!));
  assert.throws(() => JSON.parse(cut.items[2]!));
});

test('a member named __proto__ is kept as a member, never as a prototype', () => {
  const cut = jsonArrayItems('{"__proto__":{"polluted":1},"responses":[]}', 'responses')!;
  assert.deepEqual(cut.others.get('__proto__'), { polluted: 1 });
  assert.equal(({} as { polluted?: number }).polluted, undefined);
});
