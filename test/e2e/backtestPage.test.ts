// The backtest chart page in a real browser (headless Chromium): a week of one-minute steps opens, the chart is
// drawn with a bounded number of vertices and every marker (escalated and failed ones from a third alert with an
// escalation tier and a step the engine fails), hovering a step or marker shows its exact time and value, the
// hostile text in it is shown literally and runs nothing, and it follows the system's light or dark theme.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BacktestChart } from '../../src/model/backtestChart.js';
import { browserSkipReason, openBrowser, type Browser, type Page } from '../support/browser.js';
import { SCRIPT_INJECTIONS } from '../support/chartFixture.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const skip = browserSkipReason();
const world = useWorld();
const KINDS = ['sent', 'held', 'resolved', 'escalated', 'failed'] as const;

/** What the page's script reads (its JSON element), as the test reads it back from the browser. */
interface PageChart {
  alert: string;
  steps: number;
  first: number;
  every: number;
  valueLabel: string;
  total: (number | null)[];
  keys: { key: string; values: (number | null)[] }[];
  markers: [number, string, string, string][];
  box: { left: number; width: number; viewWidth: number };
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Keys as an attacker writes them into a log field: five that would run script as markup, and one plain. */
const USERS = [...SCRIPT_INJECTIONS, 'alice'];
/** The user whose event the third alert's query throws on. */
const BOOM = 'boom';

/**
 * The page under test: two alerts on one page, a week of one-minute steps with 6 hostile keys (5 drawn) and a week
 * of 3-hour steps (56, wide enough apart to hover each exactly). Always drawn by the CLI, `alertcron test <alert...>
 * --backtest 7d --json --html <file>`, from events in the engine (never a fallback: a broken --html fails here).
 * Every assertion reads what it expects from the page's own data, and the page's data is compared with the charts
 * the same run printed with --json.
 */
async function backtestPageFile(dir: string): Promise<{ file: string; via: string; charts: BacktestChart[] }> {
  const file = join(dir, 'report.html');
  const T = Math.floor(uniqueBaseTime() / HOUR) * HOUR;
  const S = T - 7 * DAY;
  const index = await world.index('backtest-page');
  const docs: Record<string, unknown>[] = [];
  USERS.forEach((user, k) => {
    // An event an hour for every user, and on day k two bursts of 6 a minute for 3 minutes: first, held, held, resolved.
    for (let h = 0; h < 7 * 24; h++) docs.push(logonEvent(S + h * HOUR + (k * 7 + 1) * MIN + 30_000, user));
    for (const hour of [10, 14]) for (let m = 0; m < 3; m++) for (let e = 0; e < 6; e++) docs.push(logonEvent(S + k * DAY + hour * HOUR + (3 + m) * MIN + (e + 1) * 5000, user));
  });
  await indexDocs(world.esUrl, index, docs);
  // The third alert's own index: two users an event an hour, and at S+2d+1h30m one event the engine fails on (its
  // script query throws on it: the shard fails, as a real cluster's would), so that one step fails.
  const failing = await world.index('backtest-page-fail');
  const events = ['alice', 'bob'].flatMap((user, k) => Array.from({ length: 7 * 24 }, (_, h) => logonEvent(S + h * HOUR + (k + 1) * MIN, user)));
  await indexDocs(world.esUrl, failing, [...events, logonEvent(S + 2 * DAY + HOUR + 30 * MIN, BOOM)]);
  const project = world.project();
  const alert = { index, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Logon burst by {{key}}' };
  project.writeAlert('logins-week', { ...alert, condition: { type: 'count', gte: 5 }, every: '1m', throttle: '10m', resolve_after: '5m' });
  project.writeAlert('logins-3h', { ...alert, condition: { type: 'count', gte: 20 }, every: '3h', throttle: '1h' });
  // Escalated at once (tier 1 after 0s) the first time each key notifies; the step holding the BOOM event fails.
  const script = `def u = doc['winlog.event_data.TargetUserName']; if (u.size() > 0 && u.value == '${BOOM}') { throw new IllegalArgumentException('boom'); } return true;`;
  project.writeAlert('logins-escalated', {
    ...alert, index: failing, condition: { type: 'count', gte: 2 }, every: '3h', throttle: '1h',
    query: { query: { script: { script: { source: script, lang: 'painless' } } } },
    escalation: [{ after: '0s', notify: ['soc-email'] }],
  });
  const run = await project.run(['test', 'logins-week', 'logins-3h', 'logins-escalated', '--backtest', '7d', '--json', '--html', file], { ALERTCRON_NOW: new Date(T).toISOString() });
  // A failed step makes the backtest exit 3 (a source failed), naming it; the page is written all the same.
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /logins-escalated: step [^ ]+: search failed: .*boom/);
  const charts = (JSON.parse(run.stdout) as { chart: BacktestChart }[]).map((s) => s.chart);
  return { file, via: 'alertcron test logins-week logins-3h --backtest 7d --json --html', charts };
}

/** The value as the tooltip writes it. */
const shown = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 6 }) : 'no value');
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

const tooltip = (page: Page) =>
  page.evaluate<{ display: string; lines: string[]; step: number }>(
    "(() => { const t = document.querySelector('[role=tooltip]'); return { display: getComputedStyle(t).display, lines: Array.from(t.children, (e) => e.textContent), step: Number(t.dataset.step) }; })()",
  );

/** Scrolls chart `index` into view and returns its box in viewport pixels. */
const chartBox = (page: Page, index: number) =>
  page.evaluate<{ left: number; top: number; width: number; height: number }>(
    `(() => { const s = document.querySelector('svg.chart[data-index="${index}"]'); s.scrollIntoView({ block: 'center' }); const r = s.getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width, height: r.height }; })()`,
  );

let dir: string;
let browser: Browser;
before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'alertcron-chart-page-'));
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the backtest page of a week of one-minute steps: chart, markers, hover tooltip, inert hostile text, light and dark', { skip }, async (t) => {
  const { file, via, charts } = await backtestPageFile(dir);
  t.diagnostic(`page drawn by ${via}`);
  const backgrounds: string[] = [];
  const strokes: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    const started = performance.now();
    const page = await browser.open(file, { colorScheme: scheme, width: 1280, height: 900 });
    const openMs = performance.now() - started;
    const load = await page.evaluate<number>("performance.getEntriesByType('navigation')[0].loadEventEnd");
    t.diagnostic(`${scheme}: ${statSync(file).size} bytes of HTML; opened in ${Math.round(openMs)} ms (load event ${Math.round(load)} ms after navigation start)`);

    const data = await page.evaluate<PageChart[]>("JSON.parse(document.querySelector('script.chart-data').textContent)");
    assert.deepEqual(data.map((c) => c.total), charts.map((c) => c.total), 'the full-resolution totals reached the page unchanged');
    assert.deepEqual(data.map((c) => c.markers.length), charts.map((c) => c.markers.length));
    assert.equal(data[0]!.steps, 10_080);
    assert.deepEqual(await page.evaluate<string[]>("Array.from(document.querySelectorAll('section.alert'), (s) => s.dataset.alert)"), data.map((c) => c.alert), 'one section per alert, in order');

    for (const [index, chart] of data.entries()) {
      const drawn = await page.evaluate<{ steps: number; points: number; keys: number; thresholds: number; markers: Record<string, number>; vertices: number }>(
        `(() => { const s = document.querySelector('svg.chart[data-index="${index}"]'); const m = {};
          for (const k of ${JSON.stringify(KINDS)}) m[k] = s.querySelectorAll('[data-marker="' + k + '"]').length;
          const d = s.querySelector('path.series.total').getAttribute('d');
          return { steps: Number(s.dataset.steps), points: Number(s.dataset.points), keys: s.querySelectorAll('path.series.key').length,
            thresholds: s.querySelectorAll('line.threshold').length, markers: m, vertices: (d.match(/[ML]/g) || []).length }; })()`,
      );
      assert.equal(drawn.steps, chart.steps);
      assert.equal(drawn.vertices, drawn.points, 'data-points counts the total line\'s vertices');
      assert.ok(drawn.points > 0 && drawn.points <= Math.min(chart.steps, 4 * chart.box.width), `${drawn.points} vertices for ${chart.steps} steps`);
      assert.equal(drawn.keys, chart.keys.length);
      assert.ok(drawn.thresholds >= 1);
      for (const kind of KINDS) assert.equal(drawn.markers[kind], chart.markers.filter((m) => m[1] === kind).length, `${kind} markers of ${chart.alert}`);
    }
    // The week's replay sends, holds and resolves; the third alert escalates each key once (alice, bob) and has one failed step.
    for (const kind of ['sent', 'held', 'resolved'] as const) assert.ok(data[0]!.markers.some((m) => m[1] === kind), `the week has ${kind} markers`);
    const third = data[2]!;
    assert.deepEqual(third.markers.filter((m) => m[1] === 'escalated').map((m) => m[2]).sort(), ['alice', 'bob'], 'one escalated marker per key');
    const failedMarkers = third.markers.filter((m) => m[1] === 'failed');
    assert.equal(failedMarkers.length, 1, 'the one step holding the event the engine fails on');
    assert.equal(third.total[failedMarkers[0]![0]], null, 'a failed step has no value');
    assert.equal((await tooltip(page)).display, 'none', 'the tooltip is hidden until the mouse is over a chart');

    // The short chart: hovering a step's exact position shows that step.
    const short = data[1]!;
    let box = await chartBox(page, 1);
    const unit = box.width / short.box.viewWidth;
    for (const step of [0, 17, short.steps - 1]) {
      await page.hover(box.left + (short.box.left + ((step + 0.5) * short.box.width) / short.steps) * unit, box.top + box.height / 2);
      const tip = await tooltip(page);
      assert.notEqual(tip.display, 'none', 'the tooltip shows over the chart');
      assert.equal(tip.step, step);
      assert.equal(tip.lines[0], iso(short.first + step * short.every), 'the step\'s ISO time');
      assert.equal(tip.lines[1], `${short.valueLabel}: ${shown(short.total[step])}`, 'the step\'s value');
      for (const k of short.keys) assert.ok(tip.lines.includes(`${k.key}: ${shown(k.values[step])}`), `${k.key}'s value at step ${step}`);
    }
    await page.hover(2, 2);
    assert.equal((await tooltip(page)).display, 'none', 'the tooltip hides when the mouse leaves the chart');

    // The week: hovering a sent marker shows a step within one pixel column of it, with that step's exact value.
    const week = data[0]!;
    box = await chartBox(page, 0);
    const sent = week.markers.find((m) => m[1] === 'sent')!;
    await page.hoverSelector(`svg.chart[data-index="0"] [data-marker="sent"][data-step="${sent[0]}"]`);
    const tip = await tooltip(page);
    const stepsPerPixel = week.steps / (week.box.width * (box.width / week.box.viewWidth));
    assert.ok(Math.abs(tip.step - sent[0]) <= Math.ceil(stepsPerPixel), `hovered step ${tip.step} is within a pixel of marker step ${sent[0]}`);
    assert.equal(tip.lines[0], iso(week.first + tip.step * week.every));
    assert.equal(tip.lines[1], `${week.valueLabel}: ${shown(week.total[tip.step])}`);
    const named = tip.step === sent[0] ? 'sent: ' : `sent at ${iso(week.first + sent[0] * week.every)}: `;
    assert.ok(tip.lines.some((l) => l.startsWith(named)), `the hovered marker is named in the tooltip (${named}): ${tip.lines.join(' | ')}`);

    // The third chart's escalated and failed markers: drawn, and named with their reason by the tooltip over them.
    for (const kind of ['escalated', 'failed'] as const) {
      const marker = third.markers.find((m) => m[1] === kind)!;
      await chartBox(page, 2);
      await page.hoverSelector(`svg.chart[data-index="2"] [data-marker="${kind}"][data-step="${marker[0]}"]`);
      const over = await tooltip(page);
      assert.equal(over.step, marker[0], `the tooltip shows the ${kind} marker's step`);
      assert.equal(over.lines[0], iso(third.first + marker[0] * third.every));
      const line = over.lines.find((l) => l.startsWith(kind === 'failed' ? 'failed (' : `${kind}: `));
      assert.ok(line, `the ${kind} marker is named in the tooltip: ${over.lines.join(' | ')}`);
      if (kind === 'failed') assert.match(line, /^failed \(search failed: search_phase_execution_exception: all shards failed/, 'with the error of the step');
      else assert.match(line, /tier-1/, 'with the tier');
    }
    if (scheme === 'light') {
      const shot = await page.screenshot('backtest-page-escalated-failed-light');
      t.diagnostic(`screenshot: ${shot}`);
    }

    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'no injected script ran');
    const text = await page.evaluate<string>('document.body.innerText');
    for (const injection of SCRIPT_INJECTIONS) assert.ok(text.includes(injection), `shown literally: ${injection}`);
    assert.deepEqual(page.errors(), [], 'no console error, exception or CSP violation');

    backgrounds.push(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'));
    strokes.push(await page.evaluate<string>("getComputedStyle(document.querySelector('path.series.total')).stroke"));
    await page.evaluate("window.scrollTo(0, 0)");
    await page.hoverSelector('svg.chart[data-index="0"] [data-marker="held"]');
    const shot = await page.screenshot(`backtest-page-${scheme}`);
    t.diagnostic(`screenshot: ${shot}`);
    console.log(`backtest page screenshot (${scheme}): ${shot}`);
    await page.close();
  }
  assert.equal(backgrounds[0], 'rgb(255, 255, 255)', 'light by default');
  assert.notEqual(backgrounds[1], backgrounds[0], 'dark when the system asks for it');
  assert.notEqual(strokes[1], strokes[0], 'the line\'s colour follows the theme');
});
