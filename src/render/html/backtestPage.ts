// The backtest chart page: one self-contained HTML file with, per alert, a chart of the value per step with its
// thresholds and markers, the notices it would have sent, the query and the settings (docs/backtest-charts.md).
import type { BacktestChart, ChartMarker } from '../../model/backtestChart.js';
import { formatDuration } from '../../util/duration.js';
import { cleanText, cutText } from '../../util/text.js';
import { formatValue } from './chartAxes.js';
import { chartData, type ChartData } from './chartData.js';
import { CHART_SCRIPT } from './chartScript.js';
import { chartSvg, KEY_COLOURS } from './chartSvg.js';
import { escapeHtml, jsonInScript } from './escape.js';
import { htmlPage } from './page.js';

/** At most this many notices per alert are listed in its table (the page says how many there were in all). */
export const NOTICE_ROWS = 1000;
const MARKER_KINDS: ChartMarker['kind'][] = ['sent', 'held', 'resolved', 'escalated', 'failed'];
const MARKER_WORDS: Record<ChartMarker['kind'], string> = {
  sent: 'sent (first or repeat notice)',
  held: 'held back (throttle or once)',
  resolved: 'resolved',
  escalated: 'escalated (an escalation tier: tier-1 and up)',
  failed: 'failed step (search error)',
};

/** Outside text (names, keys, titles, reasons, values) as inert HTML: cleaned of control and invisible characters, cut to `max`, escaped. */
function text(value: unknown, max = 2000): string {
  return escapeHtml(cutText(cleanText(String(value)), max));
}

/** An epoch-ms time as ISO 8601 UTC to the second. */
function isoTime(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString().replace('.000Z', 'Z');
}

const STYLE = `:root{--k1:#bf3989;--k2:#1b7c83;--k3:#bc4c00;--k4:#6639ba;--k5:#6e7781}
@media (prefers-color-scheme: dark){:root{--k1:#ff80c8;--k2:#56d4dd;--k3:#ffa657;--k4:#bc8cff;--k5:#8b949e}}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 4px;overflow-wrap:anywhere}h3{font-size:14px;margin:14px 0 4px}
section.alert{border-top:1px solid var(--grid);margin-top:18px}
.chart{display:block;width:100%;max-width:1000px;height:auto;background:var(--bg)}
.chart .grid{stroke:var(--grid);stroke-width:1}.chart .axis{stroke:var(--muted)}.chart .tick{fill:var(--muted);font-size:11px}
.legend .line{display:inline-block;width:22px;border-top:2px solid var(--line)}.legend .line.threshold{border-top:2px dashed var(--threshold)}
.series{fill:none;stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}.series.total{stroke:var(--line);stroke-width:2}
${Array.from({ length: KEY_COLOURS }, (_, i) => `.k${i + 1}{stroke:var(--k${i + 1})}.legend .k${i + 1}{border-color:var(--k${i + 1})}`).join('')}
.threshold{stroke:var(--threshold);stroke-width:1.5;stroke-dasharray:6 4}
.marker.sent{fill:var(--sent)}.marker.held{fill:var(--bg);stroke:var(--held);stroke-width:2}.marker.resolved{fill:var(--resolved)}
.marker.escalated{fill:var(--escalated)}.marker.failed{stroke:var(--failed);stroke-width:2;fill:none}
.cursor{stroke:var(--muted);stroke-dasharray:2 2}.focus{fill:var(--bg);stroke:var(--line);stroke-width:2}.hit{fill:transparent}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;margin:6px 0;color:var(--muted)}
.legend li{display:flex;align-items:center;gap:6px;overflow-wrap:anywhere}
.legend svg{width:12px;height:12px}
[role=tooltip]{position:fixed;z-index:10;pointer-events:none;max-width:440px;background:var(--panel);color:var(--fg);border:1px solid var(--grid);border-radius:4px;padding:6px 9px;font-size:12px;box-shadow:0 2px 8px rgba(0,0,0,.25);overflow-wrap:anywhere}
[role=tooltip][hidden]{display:none}[role=tooltip] .time{font-weight:600}[role=tooltip] .value{font-variant-numeric:tabular-nums}
td{overflow-wrap:anywhere}.errors{color:var(--failed)}`;

/** A marker kind's symbol for the legend: the chart's own shape, without the marker's data attributes. */
function symbol(kind: ChartMarker['kind']): string {
  const shapes: Record<ChartMarker['kind'], string> = {
    sent: '<circle class="marker sent" r="4"/>',
    held: '<circle class="marker held" r="3.5"/>',
    resolved: '<rect class="marker resolved" x="-3.5" y="-3.5" width="7" height="7"/>',
    escalated: '<path class="marker escalated" d="M0 -5l5 8h-10z"/>',
    failed: '<path class="marker failed" d="M-4 -4l8 8m0 -8l-8 8"/>',
  };
  return `<svg viewBox="-6 -6 12 12" aria-hidden="true">${shapes[kind]}</svg>`;
}

/** The legend: which lines are drawn (the total, the keys shown and why those), the thresholds, and the markers with their counts. */
function legend(chart: BacktestChart): string {
  const items = [`<li><span class="line"></span>all keys together: ${text(chart.valueLabel, 200)}</li>`];
  chart.keys.forEach((k, i) => items.push(`<li><span class="line k${(i % KEY_COLOURS) + 1}"></span><code>${text(k.key, 120)}</code></li>`));
  if (chart.keysTotal > 0) {
    const which =
      chart.keysShown === 'all'
        ? `every key (${chart.keysTotal}) has a line`
        : `lines for the top ${chart.keys.length} of ${chart.keysTotal} keys (most notices, then highest peak)`;
    const letGo = chart.keysLetGo
      ? `; ${chart.keysLetGo} key(s) were let go while replaying to save memory and have no line (their notices are marked and listed)`
      : '';
    items.push(`<li class="keys-shown">${which}${letGo}</li>`);
  }
  for (const t of chart.thresholds) items.push(`<li><span class="line threshold"></span>${text(t.label, 200)} (${text(formatValue(t.value))})</li>`);
  for (const kind of MARKER_KINDS) {
    const count = chart.markers.filter((m) => m.kind === kind).length;
    if (count) items.push(`<li>${symbol(kind)}${MARKER_WORDS[kind]}: ${count}</li>`);
  }
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** The notices it would have sent, one `<tr data-notice>` each (the first NOTICE_ROWS). */
function noticesTable(chart: BacktestChart): string {
  const rows = chart.notices
    .slice(0, NOTICE_ROWS)
    .map((n) => `<tr data-notice><td>${isoTime(n.at)}</td><td><code>${text(n.key, 300)}</code></td><td>${text(n.reason, 200)}</td><td>${text(n.title, 500)}</td><td>${text(n.channels.join(', '), 500)}</td></tr>`);
  const more = chart.notices.length > NOTICE_ROWS ? `<p class="muted">The first ${NOTICE_ROWS} of ${chart.notices.length} notices are listed.</p>` : '';
  const empty = chart.notices.length ? '' : '<p class="empty muted">No notice would have been sent.</p>';
  return `<h3>Notices it would have sent (${chart.notices.length})</h3><table class="notices"><thead><tr><th>time (UTC)</th><th>key</th><th>reason</th><th>title</th><th>channels</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}${empty}`;
}

function settingsTable(chart: BacktestChart): string {
  const rows = Object.entries(chart.settings).map(([name, value]) => `<tr><th>${text(name, 200)}</th><td><code>${text(value)}</code></td></tr>`);
  return `<h3>Settings</h3><table class="settings"><tbody>${rows.join('')}</tbody></table>`;
}

function querySection(chart: BacktestChart): string {
  const json = chart.query === undefined ? 'none' : JSON.stringify(chart.query, null, 2) ?? 'none';
  return `<h3>Query (the last searched step's request)</h3><pre class="query">${text(json, 200_000)}</pre>`;
}

/** One alert's section: heading, summary, legend, chart, errors, notices, query and settings. */
function alertSection(chart: BacktestChart, index: number, data: ChartData[]): string {
  const drawn = chartSvg(chart, index);
  data.push(chartData(chart, drawn.range));
  const summary =
    `${text(chart.ruleType, 100)} · ${formatValue(chart.steps)} steps, one every ${formatDuration(chart.every)}` +
    `${chart.ingestDelay > 0 ? ` (each run ${formatDuration(chart.ingestDelay)} after its window)` : ''}` +
    ` · windows ending ${isoTime(chart.span.from + chart.every)} to ${isoTime(chart.span.to)} · ${chart.requests} request(s)` +
    `${chart.failedSteps ? ` · <span class="errors">${chart.failedSteps} failed step(s)</span>` : ''}`;
  const errors = chart.errors.length ? `<ul class="errors">${chart.errors.map((e) => `<li>${text(e, 500)}</li>`).join('')}</ul>` : '';
  return [
    `<section class="alert" id="alert-${index}" data-alert="${text(chart.alert, 500)}">`,
    `<h2>${text(chart.alert, 500)}</h2>`,
    `<p class="muted">${summary}</p>`,
    legend(chart),
    drawn.svg,
    `<p class="muted">Time (UTC) is each step's window end; hover the chart for a step's exact value.</p>`,
    errors,
    noticesTable(chart),
    querySection(chart),
    settingsTable(chart),
    '</section>',
  ].join('\n');
}

/**
 * The whole backtest page for the given alerts' charts, in their order: self-contained (no network, one script of
 * its own allowed by hash), every outside string escaped, the full-resolution data in one JSON script element.
 */
export function renderBacktestPage(charts: BacktestChart[], meta: { generatedAt: number; project: string }): string {
  const data: ChartData[] = [];
  const sections = charts.map((chart, i) => alertSection(chart, i, data));
  const contents =
    charts.length > 1 ? `<nav><ul>${charts.map((c, i) => `<li><a href="#alert-${i}">${text(c.alert, 200)}</a></li>`).join('')}</ul></nav>` : '';
  const body = [
    `<h1>Backtest of ${charts.length === 1 ? text(charts[0]!.alert, 200) : `${charts.length} alerts`}</h1>`,
    `<p class="muted">Project ${text(meta.project, 500)} · generated ${isoTime(meta.generatedAt)} · silences and acknowledgements are not replayed.</p>`,
    contents,
    ...sections,
    '<div role="tooltip" hidden></div>',
    `<script type="application/json" class="chart-data">${jsonInScript(data)}</script>`,
  ].join('\n');
  return htmlPage({ title: `alertcron backtest: ${cutText(cleanText(charts.map((c) => c.alert).join(', ')), 200)}`, body, style: STYLE, script: CHART_SCRIPT });
}
