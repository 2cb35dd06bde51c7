// M4 downsampling keeps, per pixel column, the first, last, lowest and highest point: the line drawn through what is
// kept covers the same values in every column as the full series, with at most four points per column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnOf, drawable, m4Indices } from '../../src/render/html/chartDownsample.js';
import { PLOT_WIDTH } from '../../src/render/html/chartSvg.js';
import { checkProperty, fc } from '../support/property.js';

const value = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -50, max: 1000 }) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.double({ noNaN: false }) });
const series = fc.array(value, { maxLength: 3000 });

test('every column keeps its first, last, lowest and highest drawable point, in order, within 4 points per column', async () => {
  await checkProperty('m4 keeps each column\'s extremes', fc.property(series, fc.integer({ min: 1, max: 400 }), (values, columns) => {
    const kept = m4Indices(values, columns);
    assert.ok(kept.length <= 4 * columns, `${kept.length} points for ${columns} columns`);
    kept.forEach((index, i) => {
      assert.ok(drawable(values[index]), `kept index ${index} has a value`);
      if (i) assert.ok(index > kept[i - 1]!, 'ascending without repeats');
    });
    const byColumn = new Map<number, number[]>();
    values.forEach((v, i) => {
      if (!drawable(v)) return;
      const c = columnOf(i, values.length, columns);
      byColumn.set(c, [...(byColumn.get(c) ?? []), i]);
    });
    const keptByColumn = new Map<number, number[]>();
    for (const index of kept) {
      const c = columnOf(index, values.length, columns);
      keptByColumn.set(c, [...(keptByColumn.get(c) ?? []), index]);
    }
    assert.deepEqual([...keptByColumn.keys()], [...byColumn.keys()], 'a point is kept in exactly the columns that have values');
    for (const [c, all] of byColumn) {
      const mine = keptByColumn.get(c)!;
      assert.ok(mine.length <= 4);
      assert.equal(mine[0], all[0], `column ${c}: first point kept`);
      assert.equal(mine[mine.length - 1], all[all.length - 1], `column ${c}: last point kept`);
      const vals = (list: number[]) => list.map((i) => values[i] as number);
      assert.equal(Math.min(...vals(mine)), Math.min(...vals(all)), `column ${c}: its lowest value survives`);
      assert.equal(Math.max(...vals(mine)), Math.max(...vals(all)), `column ${c}: its highest value survives`);
    }
  }), 300);
});

test('a week of one-minute steps keeps a one-step spike and a one-step dip, within 4 points per pixel column', () => {
  const values: (number | null)[] = Array.from({ length: 10_080 }, (_, i) => 5 + (i % 3));
  values[4321] = 900;
  values[777] = -3;
  values[9000] = null;
  const kept = m4Indices(values, PLOT_WIDTH);
  assert.ok(kept.length <= 4 * PLOT_WIDTH && kept.length >= PLOT_WIDTH, `${kept.length} points`);
  assert.ok(kept.includes(4321) && kept.includes(777), 'the spike and the dip are drawn');
  assert.ok(!kept.includes(9000), 'a step without a value is not drawn');
  assert.equal(kept[0], 0);
  assert.equal(kept[kept.length - 1], 10_079, 'the first and last steps are drawn');
});

test('short series are kept whole; an empty one gives nothing', () => {
  assert.deepEqual(m4Indices([3, 1, 4, 1, 5], 100), [0, 1, 2, 3, 4]);
  assert.deepEqual(m4Indices([], 100), []);
  assert.deepEqual(m4Indices([null, null], 10), []);
});
