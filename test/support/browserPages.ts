// What the page tests (the backtest chart page, the status page) check in the browser in the same way: a browser
// per test file, a page opened in a colour scheme, hostile text that ran nothing, a screenshot kept for a person.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, type TestContext } from 'node:test';
import { browserSkipReason, openBrowser, type Browser, type OpenOptions, type Page } from './browser.js';

/** The first bytes of every PNG file. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One browser for a test file's tests, and why they skip (undefined: they run). */
export interface BrowserForTests {
  /** Pass as the tests' `skip` option: a reason only when chromium is missing outside CI. */
  skip: string | undefined;
  /** The browser (started before the file's tests, closed after them); throws when the tests are skipped. */
  browser(): Browser;
}

/** Starts one browser before a test file's tests (unless they skip) and closes it after them. */
export function useBrowser(): BrowserForTests {
  const skip = browserSkipReason();
  let browser: Browser | undefined;
  before(async () => {
    if (!skip) browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return {
    skip,
    browser: () => {
      if (!browser) throw new Error(`no browser: ${skip ?? 'it did not start'}`);
      return browser;
    },
  };
}

/** Opens a page file in light or dark (light by default) at a viewport of 1280x900 unless told otherwise. */
export function openPage(browser: Browser, file: string, options: OpenOptions = {}): Promise<Page> {
  return browser.open(file, { width: 1280, height: 900, colorScheme: 'light', ...options });
}

/** What in the page could run script or load something, beyond the page's one own script. */
interface ActiveParts {
  pwned: string;
  scripts: number;
  handlers: string[];
  embedded: number;
  scriptUrls: number;
  text: string;
}

/**
 * Asserts that hostile text in the page ran nothing: `window.__pwned` (what the injection strings set) is unset, the
 * page has at most its one own script (JSON data elements aside), no element has an `on…` attribute, no iframe,
 * object or embed, no `javascript:` URL, no console error, exception or CSP violation; and each of `literally` is
 * shown as text.
 */
export async function assertNoScriptRan(page: Page, literally: readonly string[] = []): Promise<void> {
  const seen = await page.evaluate<ActiveParts>(`(() => {
    const all = Array.from(document.querySelectorAll('*'));
    return {
      pwned: typeof window.__pwned,
      scripts: Array.from(document.scripts).filter((s) => !s.type || /javascript|module/i.test(s.type)).length,
      handlers: all.flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => e.tagName.toLowerCase() + ' ' + a.name)),
      embedded: document.querySelectorAll('iframe, object, embed, frame').length,
      scriptUrls: all.filter((e) => Array.from(e.attributes).some((a) => /^\\s*javascript:/i.test(a.value))).length,
      text: document.body.innerText,
    };
  })()`);
  assert.equal(seen.pwned, 'undefined', 'no injected script ran (window.__pwned is unset)');
  assert.ok(seen.scripts <= 1, `the page has at most its own script, not ${seen.scripts}`);
  assert.deepEqual(seen.handlers, [], 'no element has an event-handler attribute');
  assert.equal(seen.embedded, 0, 'no iframe, object or embed');
  assert.equal(seen.scriptUrls, 0, 'no javascript: URL');
  assert.deepEqual(page.errors(), [], 'no console error, exception or CSP violation');
  for (const text of literally) assert.ok(seen.text.includes(text), `shown literally: ${JSON.stringify(text)}`);
}

/** Asserts that a file is a PNG (its signature) of a sensible size for a page's screenshot. */
export function assertPng(file: string): void {
  assert.deepEqual(readFileSync(file).subarray(0, 8), PNG_SIGNATURE, `${file} is a PNG`);
  const size = statSync(file).size;
  assert.ok(size > 1_000 && size < 20_000_000, `${file}: ${size} bytes`);
}

/**
 * Takes a screenshot kept for a person (test-output/screenshots/<name>.png), checks that it is a PNG of a sensible
 * size, prints its path (on the console and as the test's diagnostic) and returns it.
 */
export async function keepScreenshot(page: Page, name: string, t?: TestContext): Promise<string> {
  const file = await page.screenshot(name);
  assertPng(file);
  t?.diagnostic(`screenshot: ${file}`);
  console.log(`screenshot: ${file}`);
  return file;
}

/** The page's colours as its theme set them: the body's background and text colour (computed, rgb()). */
export function themeColours(page: Page): Promise<{ background: string; foreground: string }> {
  return page.evaluate("(() => { const s = getComputedStyle(document.body); return { background: s.backgroundColor, foreground: s.color }; })()");
}
