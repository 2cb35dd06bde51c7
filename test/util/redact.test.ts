import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact, registerSecret } from '../../src/util/redact.js';

test('a secret is redacted as written, URL-encoded and JSON-escaped', () => {
  registerSecret('pa"ss\\word/x y');
  const text = `raw pa"ss\\word/x y, url ${encodeURIComponent('pa"ss\\word/x y')}, json ${JSON.stringify({ p: 'pa"ss\\word/x y' })}`;
  assert.equal(redact(text), 'raw ***, url ***, json {"p":"***"}');
});

test('property: a secret inside any base64 text (a Basic header, an SMTP AUTH line), at any offset, keeps at most two bytes at each end encoded', async () => {
  const { default: fc } = await import('fast-check');
  const { checkProperty } = await import('../support/property.js');
  const chars = fc.constantFrom(...'aZ09+/=:%&?#"\\ <>~é€'.split(''), '\u0000', '😀');
  await checkProperty(
    'redact blanks base64 forms at every alignment',
    fc.property(fc.array(chars, { minLength: 10, maxLength: 30 }), fc.uint8Array({ maxLength: 7 }), fc.uint8Array({ maxLength: 7 }), (secretChars, before, after) => {
      const secret = `Rb${secretChars.join('')}`;
      registerSecret(secret);
      // The bytes around the secret take no value the secret holds: else the two bytes redact may keep plus a neighbour
      // that happens to equal the secret's next byte would look like three bytes of the secret surviving.
      const inSecret = new Set(Buffer.from(secret));
      const outside = [...Array(256).keys()].find((b) => !inSecret.has(b))!;
      const apart = (around: Uint8Array) => Buffer.from(around.map((b) => (inSecret.has(b) ? outside : b)));
      const bytes = Buffer.concat([apart(before), Buffer.from(secret), apart(after)]);
      for (const text of [bytes.toString('base64'), bytes.toString('base64url'), `Authorization: Basic ${bytes.toString('base64')}`]) {
        const out = redact(text);
        assert.ok(out.includes('***'), `nothing blanked in ${text}`);
        // What stays of the base64 cannot hold three consecutive bytes of the secret.
        for (const part of out.split('***')) {
          const decoded = Buffer.from(part.replace(/^Authorization: Basic /, ''), part.includes('-') || part.includes('_') ? 'base64url' : 'base64');
          const secretBytes = Buffer.from(secret);
          for (let i = 0; i + 3 <= secretBytes.length; i++) assert.ok(decoded.indexOf(secretBytes.subarray(i, i + 3)) < 0 || secretBytes.length < 3, `3 bytes of the secret survive in ${part}`);
        }
      }
      assert.equal(redact(`x${secret}y`), 'x***y');
    }),
    200,
  );
});
