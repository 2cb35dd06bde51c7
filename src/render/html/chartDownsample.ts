// M4 downsampling (Jugel et al., PVLDB 7(10), 2014): per pixel column the first, last, lowest and highest point, so a
// line drawn through what is kept covers exactly the pixels the full series would, and no one-step spike is lost.

/** A value that can be drawn: a finite number (null, undefined, NaN and infinities are gaps). */
export function drawable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The pixel column (0 .. columns-1) step `index` of `steps` falls in: the chart draws step i at (i + 0.5) / steps of its width. */
export function columnOf(index: number, steps: number, columns: number): number {
  return Math.min(columns - 1, Math.floor(((index + 0.5) * columns) / Math.max(1, steps)));
}

/**
 * The indices (ascending, no repeats) of the values to draw with `columns` pixel columns: per column the first, the
 * last, the lowest and the highest drawable value; at most 4 × columns indices whatever the length of `values`.
 */
export function m4Indices(values: readonly (number | null)[], columns: number): number[] {
  const cols = Math.max(1, Math.floor(columns));
  const out: number[] = [];
  let column = -1;
  let first = -1;
  let last = -1;
  let low = -1;
  let high = -1;
  const flush = (): void => {
    if (first < 0) return;
    for (const index of [first, low, high, last].sort((a, b) => a - b)) if (out[out.length - 1] !== index) out.push(index);
  };
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!drawable(value)) continue;
    const c = columnOf(i, values.length, cols);
    if (c !== column) {
      flush();
      column = c;
      first = last = low = high = i;
      continue;
    }
    last = i;
    if (value < (values[low] as number)) low = i;
    if (value > (values[high] as number)) high = i;
  }
  flush();
  return out;
}
