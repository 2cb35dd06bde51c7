// What the chart page's script reads: one entry per chart, in the page's order, at full resolution (the SVG draws
// a downsampled line; the tooltip shows the exact value of the step under the mouse).
import type { BacktestChart } from '../../model/backtestChart.js';
import { cleanText } from '../../util/text.js';
import { drawable } from './chartDownsample.js';
import { CHART_BOX, PLOT_WIDTH, stepTime } from './chartSvg.js';

/** One chart's data for the page script: step times (`first` + i × `every`), values, keys, markers sorted by step as `[step, kind, key, reason]`, and the plot's geometry. */
export interface ChartData {
  alert: string;
  steps: number;
  first: number;
  every: number;
  ingestDelay: number;
  valueLabel: string;
  total: (number | null)[];
  keys: { key: string; values: (number | null)[] }[];
  markers: [number, string, string, string][];
  box: { left: number; top: number; width: number; height: number; viewWidth: number };
  range: [number, number];
}

const values = (list: readonly (number | null)[], steps: number): (number | null)[] => Array.from({ length: steps }, (_, i) => (drawable(list[i]) ? list[i]! : null));

/** The chart's data as the page script reads it; outside text is cleaned of control and invisible characters (the script shows it as text only). */
export function chartData(chart: BacktestChart, range: [number, number]): ChartData {
  const steps = Math.max(1, chart.steps);
  return {
    alert: cleanText(chart.alert),
    steps,
    first: stepTime(chart, 0),
    every: chart.every,
    ingestDelay: chart.ingestDelay,
    valueLabel: cleanText(chart.valueLabel),
    total: values(chart.total, steps),
    keys: chart.keys.map((k) => ({ key: cleanText(k.key), values: values(k.values, steps) })),
    markers: chart.markers
      .map((m): [number, string, string, string] => [m.step, m.kind, cleanText(m.key), cleanText(m.reason)])
      .sort((a, b) => a[0] - b[0]),
    box: { left: CHART_BOX.left, top: CHART_BOX.top, width: PLOT_WIDTH, height: CHART_BOX.height - CHART_BOX.top - CHART_BOX.bottom, viewWidth: CHART_BOX.width },
    range,
  };
}
