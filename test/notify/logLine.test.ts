// The log channel's lines and the command channel's stderr quote take any text (log values, a program's output):
// generated inputs check that a line stays one inert line, that JSON gives every value back, and that a quote is bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLine, textLine } from '../../src/notify/channels/log/line.js';
import { stderrTail } from '../../src/notify/channels/command/notifier.js';
import { checkProperty, fc } from '../support/property.js';
import { registerSecret } from '../../src/util/redact.js';

/** Text with the characters that break lines and terminals mixed into ordinary ones. */
const hostileText: fc.Arbitrary<string> = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\n', '\r', '\u001b', '\u009b', '\u2028', '\u2029', '\u202e', '\u200b', '\ud800', '\udc00', '"', '\\', '[31m', ' ')), maxLength: 300 });
const notice = fc.record({ key: hostileText, title: hostileText, message: hostileText, reason: fc.constantFrom('first', 'repeat', 'resolved', 'digest'), labels: fc.dictionary(fc.string({ maxLength: 10 }), hostileText, { maxKeys: 3 }) });
/** What a terminal or a log reader acts on: no raw one may be in a line. */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;

test('a text line is one line without active characters, starting with its alert, whatever the notice holds', async () => {
  await checkProperty('log text line', fc.property(notice, (n) => {
    const line = textLine({ alert: 'logons', ...n });
    assert.doesNotMatch(line, ACTIVE);
    assert.ok(line.startsWith(`alertcron notice logons "`));
    assert.ok(line.length <= 5000);
  }), 300);
});

test('a JSON line is one line without raw active characters that parses back to the notice\'s values', async () => {
  await checkProperty('log json line', fc.property(notice, (n) => {
    const line = jsonLine({ alert: 'logons', ...n }, 0);
    assert.doesNotMatch(line, ACTIVE);
    const back = JSON.parse(line) as Record<string, unknown>;
    // Lone surrogates are written as \u escapes by JSON.stringify and come back the same.
    assert.deepEqual([back.key, back.title, back.message, back.reason, back.labels], [n.key, n.title, n.message, n.reason, { ...n.labels }]);
  }), 300);
});

test('a program\'s stderr is quoted as its last lines: one line, bounded, no active character, a registered secret never in it', async () => {
  registerSecret('s3cr3t-token-value');
  await checkProperty('command stderr tail', fc.property(fc.array(hostileText, { maxLength: 40 }), fc.nat(5), (lines, at) => {
    const stderr = [...lines.slice(0, at), 'x s3cr3t-token-value y', ...lines.slice(at)].join('\n');
    const quote = stderrTail(stderr);
    assert.doesNotMatch(quote, ACTIVE);
    assert.ok(!quote.includes('s3cr3t'));
    assert.ok(quote.length <= 520, `${quote.length}`);
  }), 300);
});
