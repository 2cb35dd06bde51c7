// The page tests' shared checks must catch what they are for: hostile text escaped passes, a script that ran fails,
// and markup that slipped in unescaped fails even where the page's CSP kept it from running.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { escapeHtml } from '../../src/render/html/escape.js';
import { htmlPage } from '../../src/render/html/page.js';
import { SCREENSHOT_DIR } from '../support/browser.js';
import { assertNoScriptRan, keepScreenshot, openPage, themeColours, useBrowser } from '../support/browserPages.js';

const { skip, browser } = useBrowser();
const dir = mkdtempSync(join(tmpdir(), 'alertcron-browser-pages-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Injections as an attacker writes them into a log value or a chat name. */
const INJECTIONS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">', '"><svg onload="window.__pwned=3">', '<a href="javascript:window.__pwned=4">x</a>'];

/** Writes a page file and returns its path. */
function pageFile(name: string, html: string): string {
  const file = join(dir, name);
  writeFileSync(file, html);
  return file;
}

test('a page that shows hostile text escaped passes assertNoScriptRan, in light and dark, with a screenshot kept', { skip }, async (t) => {
  const file = pageFile('escaped.html', htmlPage({ title: 'escaped', body: `<table>${INJECTIONS.map((i) => `<tr><td>${escapeHtml(i)}</td></tr>`).join('')}</table>`, script: 'window.__ready = 1;' }));
  const colours = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await openPage(browser(), file, { colorScheme });
    await assertNoScriptRan(page, INJECTIONS);
    colours.push(await themeColours(page));
    const shot = await keepScreenshot(page, `browser-pages-escaped-${colorScheme}`, t);
    assert.ok(shot.startsWith(SCREENSHOT_DIR), shot);
    await page.close();
  }
  assert.deepEqual(colours[0], { background: 'rgb(255, 255, 255)', foreground: 'rgb(27, 31, 36)' });
  assert.deepEqual(colours[1], { background: 'rgb(13, 17, 23)', foreground: 'rgb(230, 237, 243)' });
});

test('assertNoScriptRan fails on a page where an injected script ran', { skip }, async () => {
  // No CSP here: the page of a renderer that forgot htmlPage.
  const file = pageFile('ran.html', `<!DOCTYPE html><html><body><p>${INJECTIONS[0]}</p></body></html>`);
  const page = await openPage(browser(), file);
  assert.equal(await page.evaluate('window.__pwned'), 1, 'the script did run');
  await assert.rejects(assertNoScriptRan(page), /no injected script ran/);
  await page.close();
});

test('assertNoScriptRan fails on markup that slipped in unescaped, even where the CSP kept it from running', { skip }, async () => {
  for (const [n, injection] of INJECTIONS.entries()) {
    const file = pageFile(`unescaped-${n}.html`, htmlPage({ title: 'unescaped', body: `<p>value: ${injection}</p>` }));
    const page = await openPage(browser(), file);
    if (injection.includes('javascript:')) await page.hoverSelector('a'); // a link runs nothing until followed
    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', `the CSP kept ${injection} from running`);
    await assert.rejects(assertNoScriptRan(page, [injection]), /own script|event-handler|javascript: URL|CSP violation|shown literally/, injection);
    await page.close();
  }
});
