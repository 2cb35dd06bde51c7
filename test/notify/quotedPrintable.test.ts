import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quotedPrintable } from '../../src/notify/mailMessage.js';
import { checkProperty, fc } from '../support/property.js';

/**
 * Quoted-printable written the plain way, one byte at a time (RFC 2045 6.7): printable ASCII but '=' as it is, a
 * space or tab as it is unless it ends its line, any other byte as =XX; a soft break ('=' then CRLF) before a piece
 * that would take the line past 75 characters. Lines are the text's CRLF-separated parts.
 */
function referenceQuotedPrintable(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\r\n')) {
    const bytes = [...Buffer.from(line, 'utf8')];
    let out = '';
    let width = 0;
    bytes.forEach((byte, i) => {
      const endsLine = i === bytes.length - 1;
      const asIs = (byte > 32 && byte < 127 && byte !== 0x3d) || ((byte === 0x20 || byte === 0x09) && !endsLine);
      const piece = asIs ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      if (width + piece.length > 75) {
        out += '=\r\n';
        width = 0;
      }
      out += piece;
      width += piece.length;
    });
    lines.push(out);
  }
  return lines.join('\r\n');
}

/** Reads quoted-printable back: soft breaks removed, each =XX the byte it names. */
function decode(encoded: string): string {
  const bytes = encoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Characters of the plain path (printable ASCII, space, tab) and of the per-byte one ('=', bare CR and LF, control, non-ASCII). */
const char = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.constantFrom(' ', '\t') },
  { weight: 1, arbitrary: fc.constantFrom('=', '\r', '\n', '\u0000', '\u007f', 'é', 'ж', '€', '🔥') },
);
/** Lengths about each soft break: a line of 72 to 76 characters (and 147 to 151 ...) is where the ends are decided. */
const nearBreak = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 70, max: 78 }), fc.integer({ min: 145, max: 153 }), fc.integer({ min: 220, max: 228 }));
/** A line: a run of one character (letters, only spaces, only tabs) of a length near a break with a few characters after it, or any characters. */
const line = fc.oneof(
  fc
    .tuple(nearBreak, fc.constantFrom('x', ' ', '\t', '.', '='), fc.array(fc.constantFrom('', ' ', '\t', 'y', '=', '\r', '\n', 'é', '🔥'), { maxLength: 3 }))
    .map(([length, fill, tail]) => fill.repeat(length) + tail.join('')),
  fc.array(char, { maxLength: 240 }).map((chars) => chars.join('')),
  fc.constant(''),
);
const text = fc.array(line, { maxLength: 6 }).map((lines) => lines.join('\r\n'));

test('generated text (lines near 72-76 characters ending in a space or tab, only spaces, empty, bare CR/LF, non-ASCII): quotedPrintable writes what a per-byte encoder writes', async () => {
  await checkProperty(
    'quotedPrintable against a per-byte reference encoder',
    fc.property(text, (input) => {
      const encoded = quotedPrintable(input);
      assert.equal(encoded, referenceQuotedPrintable(input));
      assert.equal(decode(encoded), input);
      for (const written of encoded.split('\r\n')) assert.ok(written.length <= 76 && !/[ \t]$/.test(written), JSON.stringify(written));
    }),
    500,
  );
});

test('the ends of plain lines at the soft break: 75 characters fit, a trailing space or tab is encoded and moves to a line of its own when it does not fit', () => {
  const cases: [string, string][] = [
    ['', ''],
    [' ', '=20'],
    ['   ', '  =20'],
    ['\t', '=09'],
    ['x'.repeat(75), 'x'.repeat(75)],
    ['x'.repeat(76), `${'x'.repeat(75)}=\r\nx`],
    [`${'x'.repeat(72)} `, `${'x'.repeat(72)}=20`],
    [`${'x'.repeat(73)} `, `${'x'.repeat(73)}=\r\n=20`],
    [`${'x'.repeat(75)}\t`, `${'x'.repeat(75)}=\r\n=09`],
    [`${'x'.repeat(150)} `, `${'x'.repeat(75)}=\r\n${'x'.repeat(75)}=\r\n=20`],
    [`a\r\n\r\n${' '.repeat(80)}`, `a\r\n\r\n${' '.repeat(75)}=\r\n    =20`],
  ];
  for (const [input, expected] of cases) {
    assert.equal(quotedPrintable(input), expected, JSON.stringify(input));
    assert.equal(referenceQuotedPrintable(input), expected, `the reference: ${JSON.stringify(input)}`);
  }
});
