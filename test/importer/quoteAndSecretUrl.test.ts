import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inertLine, quoteData, quoteKey } from '../../src/importer/quote.js';
import { urlHasSecret } from '../../src/importer/secretUrl.js';
import { checkProperty } from '../support/property.js';

/** Characters that act on a terminal or reorder text: C0/C1 controls, format characters (direction overrides ...), line and paragraph separators. */
const ACTIVE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

test('quoteData, quoteKey, inertLine: any text comes out bounded and without a character that acts on a terminal', async () => {
  const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }));
  await checkProperty(
    'importer quotes are bounded and inert',
    fc.property(anyText, (text) => {
      const quoted = quoteData(text);
      assert.ok(!ACTIVE.test(quoted), JSON.stringify(quoted));
      assert.ok(!ACTIVE.test(inertLine(text)));
      const key = quoteKey(text);
      assert.ok(!ACTIVE.test(key));
      assert.ok([...key].length <= 65 || /^\(a key of \d+ characters that is no option name\)$/.test(key), key);
      // Only an option-like key is shown at all.
      if (!/^[\p{L}\p{N}_.-]+$/u.test(text)) assert.equal(key, `(a key of ${[...text].length} characters that is no option name)`);
      // Text without active characters is quoted as it is, up to the bound.
      if (!ACTIVE.test(text) && [...text].length <= 64) assert.equal(quoted, text);
    }),
    300,
  );
  assert.equal(quoteData('\u001b[2J'), '\\u{1b}[2J');
  assert.equal(quoteKey('smtp_host'), 'smtp_host');
  assert.equal(quoteKey('root:$6$salt$hash:19000:0:99999:7::'), '(a key of 35 characters that is no option name)');
});

test('urlHasSecret: chat webhooks, token-looking path segments, queries and user parts are secrets; a plain URL is not', async () => {
  for (const url of [
    'https://hooks.slack.com/services/T0/B0/abc',
    'https://discord.com/api/webhooks/1/abc',
    'https://ptb.discordapp.com/api/webhooks/1/abc',
    'https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z',
    'https://outlook.office.com/webhook/x',
    'https://chat.googleapis.com/v1/spaces/A/messages',
    'https://mattermost.example.org/hooks/xi4ft6jd9pfb7m8ko3eh1wgq8a',
    'https://user:pass@soar.example.org/in',
    'https://soar.example.org/in?anything=1',
    'https://soar.example.org/in#frag',
    'https://soar.example.org/api/3f9a8b7c6d5e4f3a2b1c',
    'not a url',
  ]) assert.equal(urlHasSecret(url), true, url);
  for (const url of ['https://soar.example.org/hooks/elastalert', 'http://127.0.0.1:8080/alerts', 'https://soar.example.org/api/v2/incidents']) assert.equal(urlHasSecret(url), false, url);
  // Any token of 16+ mixed letters and digits, anywhere in the path, makes the URL a secret.
  await checkProperty(
    'a token-looking path segment is a secret',
    fc.property(fc.webPath(), fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/).filter((t) => /[a-z]/i.test(t) && /\d/.test(t)), (path, token) => {
      assert.equal(urlHasSecret(`https://soar.example.org${path.replace(/[?#].*$/, '')}/${token}`), true);
    }),
    200,
  );
});
