// The browser driver the page tests use must itself be right: a page built with htmlPage opens, its script runs and
// answers a hover, the theme follows prefers-color-scheme, screenshots are real PNGs, and a script that slipped into
// the markup does not run while its CSP violation is seen.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { htmlPage } from '../../src/render/html/page.js';
import { browserSkipReason, openBrowser, SCREENSHOT_DIR, type Browser } from '../support/browser.js';

const skip = browserSkipReason();
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A page with one chart-like box and a tooltip its script moves on mousemove; `injected` is put in the body raw. */
function tooltipPage(injected = ''): string {
  return htmlPage({
    title: 'driver self-test',
    style: '#box{width:400px;height:200px;background:var(--panel);border:1px solid var(--grid)}[role=tooltip]{position:absolute;visibility:hidden;background:var(--fg);color:var(--bg);padding:2px 6px}',
    body: `<h1>driver</h1><div id="box"></div><div role="tooltip"></div>${injected}`,
    script:
      "const box=document.getElementById('box'),tip=document.querySelector('[role=tooltip]');" +
      "box.addEventListener('mousemove',e=>{tip.textContent='at '+Math.round(e.offsetX)+','+Math.round(e.offsetY);tip.style.left=(e.pageX+8)+'px';tip.style.top=(e.pageY+8)+'px';tip.style.visibility='visible'});" +
      "box.addEventListener('mouseleave',()=>{tip.style.visibility='hidden'});window.__ready=true;",
  });
}

let dir: string;
let browser: Browser;
before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'alertcron-browser-'));
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a page made with htmlPage runs its own script, answers a hover, follows the colour scheme and gives PNG screenshots', { skip }, async () => {
  const file = join(dir, 'tooltip.html');
  writeFileSync(file, tooltipPage());
  const page = await browser.open(file, { width: 800, height: 600 });
  assert.equal(await page.evaluate<boolean>('window.__ready'), true, 'the page script (allowed by its hash) ran');
  assert.equal(await page.evaluate<number>('1 + 2'), 3);
  assert.deepEqual(await page.evaluate('({ a: [1, "x"], b: null })'), { a: [1, 'x'], b: null }, 'values come back by value');
  await assert.rejects(page.evaluate('(() => { throw new Error("boom in page") })()'), /boom in page/, 'an exception in the page fails with its text');
  assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('[role=tooltip]')).visibility"), 'hidden');

  const centre = await page.hoverSelector('#box');
  assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('[role=tooltip]')).visibility"), 'visible', 'the hover reached the page');
  const text = await page.evaluate<string>("document.querySelector('[role=tooltip]').textContent");
  const box = await page.evaluate<{ left: number; top: number }>("(() => { const r = document.getElementById('box').getBoundingClientRect(); return { left: r.left, top: r.top }; })()");
  assert.equal(text, `at ${Math.round(centre.x - box.left - 1)},${Math.round(centre.y - box.top - 1)}`, 'the tooltip shows where the mouse is (inside the 1px border)');
  await page.hover(box.left + 11, box.top + 21);
  assert.equal(await page.evaluate<string>("document.querySelector('[role=tooltip]').textContent"), 'at 10,20', 'hover(x, y) moves the mouse there');

  const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
  assert.equal(await background(), 'rgb(255, 255, 255)', 'light theme by default');
  const light = await page.screenshot('driver-self-test-light');
  await page.colorScheme('dark');
  assert.equal(await background(), 'rgb(13, 17, 23)', 'dark theme when the system asks for it');
  const dark = await page.screenshot('driver/self test dark');
  for (const png of [light, dark]) {
    assert.ok(png.startsWith(SCREENSHOT_DIR), png);
    assert.ok(png.endsWith('.png'), png);
    assert.deepEqual(readFileSync(png).subarray(0, 8), PNG_SIGNATURE, `${png} is a PNG`);
    const size = statSync(png).size;
    assert.ok(size > 2_000 && size < 5_000_000, `${png}: ${size} bytes`);
  }
  assert.notDeepEqual(readFileSync(light), readFileSync(dark), 'the dark screenshot differs from the light one');
  assert.deepEqual(page.errors(), [], 'nothing went wrong in the page');
  await page.close();
});

test('a page opened dark from the start is dark, and errors() reports exceptions and console errors', { skip }, async () => {
  const file = join(dir, 'dark.html');
  writeFileSync(file, htmlPage({ title: 'dark', body: '<p>x</p>', script: "console.error('logged on purpose');setTimeout(()=>{throw new Error('thrown on purpose')},0);" }));
  const page = await browser.open(file, { colorScheme: 'dark' });
  assert.equal(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), 'rgb(13, 17, 23)');
  await page.waitFor('new Promise((r) => setTimeout(() => r(true), 50))', 'the page timer');
  const errors = page.errors();
  assert.ok(errors.some((e) => e.includes('logged on purpose')), errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('thrown on purpose')), errors.join('\n'));
  await page.close();
});

test('a script injected into the markup without the CSP hash does not run, and its CSP violation is reported', { skip }, async () => {
  const file = join(dir, 'injected.html');
  writeFileSync(file, tooltipPage('<p>value: <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"></p>'));
  const page = await browser.open(file);
  assert.equal(await page.evaluate<boolean>('window.__ready'), true, 'the page own script ran');
  assert.equal(await page.evaluate<string>('typeof window.__pwned'), 'undefined', 'the injected script and handler did not run');
  const errors = page.errors();
  assert.ok(
    errors.some((e) => /Content Security Policy/i.test(e) && /script/i.test(e)),
    `the CSP violation is among the page's errors:\n${errors.join('\n')}`,
  );
  await page.close();
});

test('opening a missing file fails with its name instead of hanging', { skip }, async () => {
  await assert.rejects(browser.open(join(dir, 'no-such-page.html')), /cannot open file:.*no-such-page\.html: net::ERR_FILE_NOT_FOUND/);
});

/** The processes of a process group that are still alive (zombies waiting for a reaper do not count). */
function livingInGroup(pgid: number): number[] {
  const alive: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') alive.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return alive;
}

test('a browser that stops answering fails the call with a clear message, and close() still ends all its processes', { skip }, async () => {
  const hung = await openBrowser({ answerTimeoutMs: 2_000 });
  try {
    const file = join(dir, 'hung.html');
    writeFileSync(file, htmlPage({ title: 'hung', body: '<p>x</p>' }));
    const page = await hung.open(file);
    assert.ok(livingInGroup(hung.pid).length > 1, 'the browser and its helpers run in their own process group');
    process.kill(-hung.pid, 'SIGSTOP');
    await assert.rejects(page.evaluate('1'), /no answer to Runtime\.evaluate within 2 s \(the browser hung/);
  } finally {
    await hung.close();
  }
  assert.deepEqual(livingInGroup(hung.pid), [], 'nothing of the browser is left running');
});
