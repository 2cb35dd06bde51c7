// The shared pieces of the HTML pages (src/render/html): JSON put in a script element cannot end it or open a comment,
// whatever the strings hold, and reads back equal; a page's Content-Security-Policy names exactly its own script's hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { escapeHtml, jsonInScript } from '../../../src/render/html/escape.js';
import { htmlPage } from '../../../src/render/html/page.js';
import { HOSTILE_FIELDS } from '../../support/hostileText.js';
import { checkProperty, fc } from '../../support/property.js';

const markupText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'<>/&"\'!-[]{}\\sciptSCRIPT \u2028\u2029'), maxLength: 60 }),
  fc.constantFrom(...Object.values(HOSTILE_FIELDS), '</script><script>alert(1)</script>', '<!--', '</SCRIPT >', '<script>window.__pwned=1</script>'),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

test('property: jsonInScript never holds <, > or & and parses back to the same value', async () => {
  await checkProperty(
    'json in script',
    fc.property(fc.array(fc.record({ key: markupText, value: fc.oneof(fc.integer(), fc.constant(null), markupText) }), { maxLength: 6 }), (value) => {
      const text = jsonInScript(value);
      assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
    }),
    300,
  );
});

test('property: escapeHtml leaves no character that opens markup or ends an attribute', async () => {
  await checkProperty(
    'escape html',
    fc.property(markupText, (text) => {
      assert.doesNotMatch(escapeHtml(text), /[<>"']|&(?!#\d+;)/);
    }),
    300,
  );
});

test('htmlPage: the CSP allows no network and only the page script, by its SHA-256; a page without a script allows none', () => {
  const script = 'document.body.dataset.ready = "1";';
  const page = htmlPage({ title: '<b>x</b>', body: '<p>hi</p>', script });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1]?.replace(/&#39;/g, "'");
  assert.ok(csp, 'a CSP meta element');
  const hash = createHash('sha256').update(script).digest('base64');
  assert.match(csp, /default-src 'none'/);
  assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
  assert.ok(page.includes(`<script>${script}</script>`));
  assert.ok(page.includes('<title>&#60;b&#62;x&#60;/b&#62;</title>'));
  assert.match(page, /prefers-color-scheme: dark/);
  assert.doesNotMatch(page, /https?:\/\//, 'nothing external');
  const plain = htmlPage({ title: 't', body: '' });
  assert.match(plain, /script-src &#39;none&#39;/);
  assert.doesNotMatch(plain, /<script/);
});
