import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../../src/rules/perKey.js';
import { serverTime } from '../../src/util/serverValues.js';
import { checkProperty, fc } from '../support/property.js';

test('property: isoTime never throws: a date aggregation beyond the Date range (Elasticsearch allows year 292278994) is left out', async () => {
  await checkProperty('isoTime', fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(9.2e18, -9.2e18, 8.64e15, 8.64e15 + 1)), (ms) => {
    const text = isoTime(ms);
    if (text !== undefined) assert.ok(Number.isFinite(Date.parse(text)), `${ms} -> ${text}`);
    else assert.ok(!(Math.abs(ms) <= 8.64e15), `${ms} is a time`);
  }), 500);
  assert.equal(isoTime(9.2e18), undefined);
  assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
});

test('serverTime takes only times after 1970 and up to the end of the year 9999', () => {
  for (const bad of [NaN, Infinity, -1, 0, 8.64e15 + 1, '1700000000000', null, undefined, {}]) assert.equal(serverTime(bad), undefined, String(bad));
  assert.equal(serverTime(1_700_000_000_000), 1_700_000_000_000);
  // One bound with the state's: a time past the year 9999 is not taken (a duration added to it would not print).
  assert.equal(serverTime(253_402_300_799_999), 253_402_300_799_999);
  for (const late of [253_402_300_800_000, 8.64e15]) assert.equal(serverTime(late), undefined, String(late));
});
