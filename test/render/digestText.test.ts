import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DigestTable } from '../../src/model/digest.js';
import { digestText, digestTitle } from '../../src/render/digestText.js';
import { checkProperty, fc } from '../support/property.js';

const HOUR = 3_600_000;
const table = (extra: Partial<DigestTable> = {}): DigestTable => ({
  from: Date.parse('2026-01-01T09:00:00Z'),
  to: Date.parse('2026-01-01T10:00:00Z'),
  columns: ['user.name', 'source.ip'],
  rows: [{ cells: ['alice', '10.0.0.1'], count: 12, first: 0, last: 0 }, { cells: ['bob', '10.0.0.22'], count: 3, first: 0, last: 0 }],
  findings: 17,
  omitted: 2,
  ...extra,
});

test('digestText: the period, an aligned table (count right, values left) and what was not listed', () => {
  assert.equal(digestText(table()), [
    '17 finding(s) from 2026-01-01T09:00:00.000Z to 2026-01-01T10:00:00.000Z.',
    '',
    'count  user.name  source.ip',
    '-----  ---------  ---------',
    '   12  alice      10.0.0.1',
    '    3  bob        10.0.0.22',
    '',
    '2 more finding(s) not listed: the table keeps 2 distinct row(s) (digest.max_rows).',
  ].join('\n'));
  assert.equal(digestTitle('logons', table(), 12), 'logons: 17 findings in the last hour (12 keys)');
  assert.equal(digestTitle('logons', table({ group: 'web\n1', to: Date.parse('2026-01-01T09:00:00Z') + 3 * HOUR + 60_000 }), 1000, true), 'logons (web 1): 17 findings in the last 3 hours 1 minute (1000+ keys)');
});

test('digestText: any cell text stays on its line and in its column (property)', async () => {
  await checkProperty('digest text alignment', fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 99999 })), { minLength: 1, maxLength: 10 }), (rows) => {
    const text = digestText(table({ rows: rows.map(([a, b, count]) => ({ cells: [a, b], count, first: 0, last: 0 })), omitted: 0, findings: rows.length }));
    const lines = text.split('\n');
    assert.equal(lines.length, 4 + rows.length, 'one line per row');
    const countWidth = lines[3]!.indexOf(' ');
    for (const line of lines.slice(4)) assert.match(line.slice(0, countWidth), /^ *\d+$/);
    assert.doesNotMatch(text, /[\r\u001b\u2028\u2029]/);
  }), 200);
});
