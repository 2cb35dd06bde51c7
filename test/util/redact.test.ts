import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact, registerSecret } from '../../src/util/redact.js';

test('a secret is redacted as written, URL-encoded and JSON-escaped', () => {
  registerSecret('pa"ss\\word/x y');
  const text = `raw pa"ss\\word/x y, url ${encodeURIComponent('pa"ss\\word/x y')}, json ${JSON.stringify({ p: 'pa"ss\\word/x y' })}`;
  assert.equal(redact(text), 'raw ***, url ***, json {"p":"***"}');
});
