// The backtest chart page keeps the DOM contract the browser tests and the backtest command rely on, shows every
// outside string as text only (never markup, never a second script), and carries the full-resolution data through
// its JSON script element unchanged.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { BacktestChart } from '../../src/model/backtestChart.js';
import { renderBacktestPage } from '../../src/render/html/backtestPage.js';
import { CHART_SCRIPT } from '../../src/render/html/chartScript.js';
import { PLOT_WIDTH } from '../../src/render/html/chartSvg.js';
import { cleanText } from '../../src/util/text.js';
import { sampleChart, SCRIPT_INJECTIONS } from '../support/chartFixture.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';
import { checkProperty, fc } from '../support/property.js';

const META = { generatedAt: Date.UTC(2026, 11, 7, 12), project: '/srv/alerts' };
/** Elements the page is made of; anything else would be markup that came in from outside. */
const OWN_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'nav', 'ul', 'li', 'a', 'section', 'span', 'code', 'svg', 'line', 'text', 'path', 'circle', 'rect', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'pre', 'script']);

/** The page's data as its script reads it: the JSON element's text, parsed. */
function pageData(html: string): Array<Record<string, unknown> & { total: unknown[]; keys: { key: string; values: unknown[] }[]; markers: unknown[][]; alert: string }> {
  const match = /<script type="application\/json" class="chart-data">([^<]*)<\/script>/.exec(html);
  assert.ok(match, 'one chart-data element');
  return JSON.parse(match[1]!);
}

/** Checks that nothing outside made markup: only the page's own elements, no event attribute, two scripts (the data and the page's own). */
function assertInert(html: string): void {
  const own = `<script>${CHART_SCRIPT}</script>`;
  assert.equal(html.split(own).length, 2, 'the page script once, unchanged');
  const rest = html.replace(own, '');
  for (const [, tag] of rest.matchAll(/<\/?([a-zA-Z][\w-]*)/g)) assert.ok(OWN_TAGS.has(tag!.toLowerCase()), `an element of the page's own: <${tag}>`);
  const tags = rest.match(/<[^<>]*>/g) ?? [];
  for (const tag of tags) assert.doesNotMatch(tag.replace(/"[^"]*"/g, '""'), /\son\w+\s*=/i, 'no event handler attribute');
  assert.equal(rest.match(/<script\b/g)?.length, 1, 'the only other script element is the JSON data');
  assert.doesNotMatch(rest, /<!--/, 'no comment opened from outside');
  const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
  assert.ok(csp.includes(`'sha256-${createHash('sha256').update(CHART_SCRIPT).digest('base64')}'`), 'the CSP allows exactly the page script');
  assert.match(csp, /default-src 'none'/);
}

test('a week of hostile chart data: the DOM contract holds, the line is downsampled, the text is inert and the data round-trips', () => {
  const chart = sampleChart();
  const short = sampleChart({ alert: 'short', steps: 60, keys: ['alice', 'bob'], seed: 3 });
  const html = renderBacktestPage([chart, short], META);
  assertInert(html);
  const sections = [...html.matchAll(/<section class="alert" id="alert-\d+" data-alert="([^"]*)">/g)];
  assert.equal(sections.length, 2);
  assert.equal(sections[0]![1], chart.alert.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`), 'the alert name, escaped, in data-alert');
  const svgs = [...html.matchAll(/<svg class="chart" data-index="(\d)" data-steps="(\d+)" data-points="(\d+)"[\s\S]*?<\/svg>/g)];
  assert.equal(svgs.length, 2);
  const [svg, , steps, points] = svgs[0]!;
  assert.equal(Number(steps), 10_080);
  assert.ok(Number(points) <= 4 * PLOT_WIDTH && Number(points) > PLOT_WIDTH, `${points} vertices for 10,080 steps`);
  assert.equal(Number(svgs[1]![3]), 60, 'a short series is drawn whole');
  for (const kind of ['sent', 'held', 'resolved', 'escalated', 'failed'] as const) {
    const expected = chart.markers.filter((m) => m.kind === kind).length;
    assert.ok(expected > 0, `the fixture has ${kind} markers`);
    assert.equal(svg.match(new RegExp(`data-marker="${kind}"`, 'g'))?.length, expected, `every ${kind} marker drawn`);
  }
  assert.equal(svg.match(/<path class="series key/g)?.length, 5, 'the top 5 keys of 8 have lines');
  assert.match(svg, /<line class="threshold" data-value="20"/);
  assert.match(html, /lines for the top 5 of 8 keys/);
  assert.equal(html.match(/<tr data-notice>/g)?.length, chart.notices.length + short.notices.length);
  assert.match(html, /<pre class="query">[^<]*&#60;\/script&#62;&#60;script&#62;window.__pwned=2/);
  assert.match(html, /<table class="settings">/);
  assert.equal(html.match(/<div role="tooltip" hidden><\/div>/g)?.length, 1, 'one tooltip, hidden');
  for (const injection of SCRIPT_INJECTIONS) assert.ok(html.includes(injection.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)), `shown as text: ${injection}`);

  const data = pageData(html);
  assert.equal(data.length, 2);
  assert.deepEqual(data[0]!.total, chart.total, 'the total at full resolution');
  assert.deepEqual(data[0]!.keys, chart.keys.map((k) => ({ key: cleanText(k.key), values: k.values })), 'every shown key at full resolution');
  assert.equal(data[0]!.alert, chart.alert);
  assert.deepEqual(data[0]!.markers.map((m) => m[0]), chart.markers.map((m) => m.step).sort((a, b) => a - b));
  assert.equal(data[1]!.steps, 60);
});

test('a line with gaps is drawn in pieces; a lone value between gaps is a dot; a chart without values draws no line', () => {
  const chart = sampleChart({ alert: 'gaps', steps: 12, keys: [] });
  chart.total = [1, 2, null, 4, null, null, 7, 8, 9, null, 11, 12];
  chart.markers = [];
  const html = renderBacktestPage([chart], META);
  const d = /<path class="series total" d="([^"]*)"/.exec(html)![1]!;
  assert.equal(d.match(/M/g)?.length, 4, d);
  assert.equal(d.match(/h0/g)?.length, 1, `the lone 4 is a dot: ${d}`);
  const empty = sampleChart({ alert: 'none', steps: 30, keys: [] });
  empty.total = empty.total.map(() => null);
  const nothing = renderBacktestPage([empty], META);
  assert.match(nothing, /data-points="0"/);
  assert.match(nothing, /<path class="series total" d=""/);
});

const hostile = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...SCRIPT_INJECTIONS, HOSTILE_FIELDS.evil, HOSTILE_FIELDS.rtl, HOSTILE_FIELDS.broken, '</style><script>x</script>', ']]>', '\u2028</script>', '-->'));
const text = fc.array(hostile, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));

test('arbitrary outside text in names, keys, titles, reasons, channels, labels, query and settings stays inert and the data round-trips', async () => {
  await checkProperty('backtest page inert', fc.property(text, fc.array(text, { maxLength: 7 }), text, text, fc.dictionary(text, text, { maxKeys: 4 }), fc.array(fc.option(fc.double(), { nil: null }), { minLength: 1, maxLength: 80 }), (alert, keys, title, reason, settings, total) => {
    const chart: BacktestChart = sampleChart({ alert, steps: total.length, keys, seed: 1 });
    chart.total = total;
    chart.notices = [{ at: chart.span.from, key: keys[0] ?? '', reason, title, channels: [title, reason] }];
    chart.markers = [{ step: 0, at: chart.span.from, kind: 'held', key: keys[0] ?? '', reason }];
    chart.valueLabel = reason;
    chart.thresholds = [{ value: 3, label: title }];
    chart.settings = settings;
    chart.query = { query: { term: { [title]: reason } } };
    chart.errors = [alert];
    const html = renderBacktestPage([chart], { generatedAt: 0, project: title });
    assertInert(html);
    const [data] = pageData(html);
    assert.equal(data!.alert, cleanText(alert));
    assert.deepEqual(data!.total, total.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v + 0 : null)), 'the values (JSON writes -0 as 0)');
    assert.deepEqual(data!.keys.map((k) => k.key), chart.keys.map((k) => cleanText(k.key)));
    assert.deepEqual(data!.markers, [[0, 'held', cleanText(keys[0] ?? ''), cleanText(reason)]]);
  }), 200);
});

test('the legend says how many keys were let go while replaying (they have no line), and says nothing of it when none were', () => {
  const chart = sampleChart({ steps: 60, keys: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] });
  assert.doesNotMatch(renderBacktestPage([chart], META), /let go/);
  const html = renderBacktestPage([{ ...chart, keysTotal: 300, keysLetGo: 250 }], META);
  assert.match(html, /lines for the top 5 of 300 keys \(most notices, then highest peak\); 250 key\(s\) were let go while replaying to save memory and have no line/);
});
