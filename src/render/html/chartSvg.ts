// One alert's time chart as SVG: value axis and UTC time axis, thresholds, the total line and one line per key shown
// (downsampled per pixel column), and every marker at its exact step.
import type { BacktestChart, ChartMarker } from '../../model/backtestChart.js';
import { timeTicks, valueTicks } from './chartAxes.js';
import { drawable, m4Indices } from './chartDownsample.js';
import { escapeHtml } from './escape.js';

/** The chart's drawing box (SVG user units, 1 unit = 1 CSS pixel at the chart's natural width) and its plot area. */
export const CHART_BOX = { width: 1000, height: 300, left: 64, right: 16, top: 14, bottom: 30 } as const;
/** The plot area's width: also the number of pixel columns the lines are downsampled to. */
export const PLOT_WIDTH = CHART_BOX.width - CHART_BOX.left - CHART_BOX.right;
const PLOT_HEIGHT = CHART_BOX.height - CHART_BOX.top - CHART_BOX.bottom;
/** How many key lines get their own colour (--k1 .. --k5); more keys reuse them. */
export const KEY_COLOURS = 5;

/** The time of step i on the x axis: the end of its window (epoch ms). */
export function stepTime(chart: Pick<BacktestChart, 'span' | 'every'>, step: number): number {
  return chart.span.from + (step + 1) * chart.every;
}

const num = (n: number): string => (Math.round(n * 10) / 10).toString();

/** The SVG of one chart (`index` ties it to its entry in the page's data) and its value axis' range. */
export function chartSvg(chart: BacktestChart, index: number): { svg: string; range: [number, number] } {
  const steps = Math.max(1, chart.steps);
  const x = (step: number): number => CHART_BOX.left + ((step + 0.5) * PLOT_WIDTH) / steps;
  const shown = [chart.total, ...chart.keys.map((k) => k.values)];
  let low = Infinity;
  let high = -Infinity;
  for (const values of shown) for (const v of values) if (drawable(v)) (low = Math.min(low, v)), (high = Math.max(high, v));
  for (const t of chart.thresholds) if (drawable(t.value)) (low = Math.min(low, t.value)), (high = Math.max(high, t.value));
  const axis = valueTicks(low, high);
  const y = (v: number): number => CHART_BOX.top + PLOT_HEIGHT - ((v - axis.min) / (axis.max - axis.min)) * PLOT_HEIGHT;
  const bottom = CHART_BOX.top + PLOT_HEIGHT;
  const right = CHART_BOX.left + PLOT_WIDTH;

  // The hit area first, under everything: the mouse anywhere over the plot moves the tooltip, markers stay on top.
  const parts: string[] = [`<rect class="hit" x="${CHART_BOX.left}" y="${CHART_BOX.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}"/>`];
  for (const tick of axis.ticks) {
    const ty = num(y(tick.at));
    parts.push(`<line class="grid" x1="${CHART_BOX.left}" x2="${right}" y1="${ty}" y2="${ty}"/><text class="tick" x="${CHART_BOX.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeHtml(tick.label)}</text>`);
  }
  const firstTime = stepTime(chart, 0);
  for (const tick of timeTicks(firstTime, stepTime(chart, steps - 1))) {
    const tx = num(x((tick.at - firstTime) / chart.every));
    parts.push(`<line class="grid" x1="${tx}" x2="${tx}" y1="${CHART_BOX.top}" y2="${bottom}"/><text class="tick" x="${tx}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(tick.label)}</text>`);
  }
  parts.push(`<line class="axis" x1="${CHART_BOX.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  for (const t of chart.thresholds) {
    if (!drawable(t.value)) continue;
    const ty = num(y(t.value));
    parts.push(`<line class="threshold" data-value="${escapeHtml(String(t.value))}" x1="${CHART_BOX.left}" x2="${right}" y1="${ty}" y2="${ty}"/>`);
  }
  const total = linePath(chart.total, steps, x, y);
  parts.push(`<path class="series total" d="${total.d}"/>`);
  chart.keys.forEach((k, i) => {
    parts.push(`<path class="series key k${(i % KEY_COLOURS) + 1}" data-key="${escapeHtml(k.key)}" d="${linePath(k.values, steps, x, y).d}"/>`);
  });
  const keyValues = new Map(chart.keys.map((k) => [k.key, k.values]));
  for (const marker of chart.markers) {
    const own = keyValues.get(marker.key)?.[marker.step];
    const value = marker.kind === 'failed' ? null : drawable(own) ? own : chart.total[marker.step];
    parts.push(markerShape(marker, x(marker.step), drawable(value) ? y(value) : bottom));
  }
  parts.push(`<line class="cursor" x1="0" x2="0" y1="${CHART_BOX.top}" y2="${bottom}" visibility="hidden"/><circle class="focus" r="4" cx="0" cy="0" visibility="hidden"/>`);
  const label = `${chart.alert}: ${chart.valueLabel} per step`;
  const svg =
    `<svg class="chart" data-index="${index}" data-steps="${chart.steps}" data-points="${total.points}" viewBox="0 0 ${CHART_BOX.width} ${CHART_BOX.height}" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">` +
    parts.join('') +
    '</svg>';
  return { svg, range: [axis.min, axis.max] };
}

/**
 * The path of one line, downsampled per pixel column: a gap (no value) between two kept steps starts a new piece,
 * and a piece of one point is drawn as a dot (zero-length segment with round caps).
 */
function linePath(values: readonly (number | null)[], steps: number, x: (s: number) => number, y: (v: number) => number): { d: string; points: number } {
  const kept = m4Indices(values.slice(0, steps), PLOT_WIDTH);
  // Gaps before each step, so whether two kept steps have a gap between them is one subtraction.
  const gaps = new Int32Array(steps + 1);
  for (let i = 0; i < steps; i++) gaps[i + 1] = gaps[i]! + (drawable(values[i]) ? 0 : 1);
  let d = '';
  let pieceLength = 0;
  let previous = -1;
  for (const step of kept) {
    const joined = previous >= 0 && gaps[step]! - gaps[previous + 1]! === 0;
    if (!joined && pieceLength === 1) d += 'h0';
    d += `${joined ? 'L' : 'M'}${num(x(step))} ${num(y(values[step] as number))}`;
    pieceLength = joined ? pieceLength + 1 : 1;
    previous = step;
  }
  if (pieceLength === 1) d += 'h0';
  return { d, points: kept.length };
}

/** One marker's shape at (cx, cy), tagged with its kind, step and key for the page script and the tests. */
function markerShape(marker: ChartMarker, cx: number, cy: number): string {
  const at = `data-marker="${escapeHtml(marker.kind)}" data-step="${marker.step}"`;
  const x = num(cx);
  const y = num(cy);
  switch (marker.kind) {
    case 'sent':
      return `<circle class="marker sent" ${at} cx="${x}" cy="${y}" r="4"/>`;
    case 'held':
      return `<circle class="marker held" ${at} cx="${x}" cy="${y}" r="3.5"/>`;
    case 'resolved':
      return `<rect class="marker resolved" ${at} x="${num(cx - 3.5)}" y="${num(cy - 3.5)}" width="7" height="7"/>`;
    case 'escalated':
      return `<path class="marker escalated" ${at} d="M${x} ${num(cy - 5)}l5 8h-10z"/>`;
    default:
      return `<path class="marker failed" ${at} d="M${num(cx - 4)} ${num(cy - 4)}l8 8m0 -8l-8 8"/>`;
  }
}
