// Axis ticks: round UTC times along x and round values along y, a handful of each whatever the data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValue, timeTicks, valueTicks } from '../../src/render/html/chartAxes.js';
import { checkProperty, fc } from '../support/property.js';

test('value ticks are few, ascending, round, and cover the values; any doubles give a usable axis', async () => {
  await checkProperty('value ticks', fc.property(fc.double(), fc.double(), (a, b) => {
    const { ticks, min, max } = valueTicks(Math.min(a, b), Math.max(a, b));
    assert.ok(ticks.length >= 2 && ticks.length <= 8, `${ticks.length} ticks`);
    assert.ok(Number.isFinite(min) && Number.isFinite(max) && max > min);
    ticks.forEach((t, i) => i && assert.ok(t.at > ticks[i - 1]!.at));
    assert.equal(ticks[0]!.at, min);
    assert.equal(ticks[ticks.length - 1]!.at, max);
    const high = Math.max(a, b);
    // Covered up to a billionth of the range (a value within a denormal of 0 may round onto it).
    const slack = (max - min) * 1e-9;
    if (Number.isFinite(high) && Math.abs(high) < 1e300 && Math.abs(Math.min(a, b, 0)) < 1e300 && max - min > 1e-9 * Math.abs(max)) assert.ok(max >= high - slack && min <= Math.min(0, a, b) + slack, `[${min}, ${max}] covers ${a}, ${b}`);
  }), 300);
  assert.deepEqual(valueTicks(0, 37).ticks.map((t) => t.label), ['0', '10', '20', '30', '40']);
  assert.deepEqual(valueTicks(0, 0).ticks.map((t) => t.at), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
  assert.deepEqual(valueTicks(-3, 12500).ticks.map((t) => t.label), ['-5,000', '0', '5,000', '10,000', '15,000']);
});

test('time ticks fall on round UTC times: dates at midnight, times between', () => {
  const from = Date.UTC(2026, 10, 30, 0, 1);
  const week = timeTicks(from, from + 7 * 86_400_000 - 60_000);
  assert.deepEqual(week.map((t) => t.label), ['12-01', '12-02', '12-03', '12-04', '12-05', '12-06', '12-07']);
  const hour = timeTicks(Date.UTC(2026, 11, 6, 23, 7), Date.UTC(2026, 11, 7, 0, 50));
  assert.deepEqual(hour.map((t) => t.label), ['23:15', '23:30', '23:45', '12-07', '00:15', '00:30', '00:45']);
  assert.equal(formatValue(1234.5678), '1,235');
  assert.equal(formatValue(0.000123456), '0.0001235');
  assert.equal(formatValue(-1234567.25), '-1,235,000');
  assert.equal(formatValue(999), '999');
  assert.equal(formatValue(-0.5), '-0.5');
  assert.equal(formatValue(1e21), '1e+21');
});
