// The digest renderers are pure functions of the table: over generated tables (hostile values, long values, many
// rows) the HTML stays a table of exactly its rows with every value as text, the Slack blocks stay within what Slack
// accepts with raw_text cells, the compact lists fit their limits, and a stored table of any shape never breaks a send.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DigestTable } from '../../src/model/digest.js';
import { digestCaption, digestPeriod, notListed } from '../../src/notify/digest/caption.js';
import { digestHtml } from '../../src/notify/digest/html.js';
import { digestJson } from '../../src/notify/digest/json.js';
import { slackDigestBlocks } from '../../src/notify/digest/slackTable.js';
import { smsDigestText } from '../../src/notify/digest/smsList.js';
import { spokenDigest } from '../../src/notify/digest/spoken.js';
import { telegramDigestText } from '../../src/notify/digest/telegramList.js';
import { usableDigest } from '../../src/notify/digest/usable.js';
import { smsSize } from '../../src/notify/sms/segments.js';
import { cutText, oneLine } from '../../src/util/text.js';
import { checkProperty, fc } from '../support/property.js';
import { slackBlocksProblem } from '../support/slackBlocks.js';

const H = 3_600_000;
const nasty = fc.constantFrom('<script>', '</td></tr>', '<!channel>', '<@U1>', '@here', '<http://e.example|x>', '*b*', '_i_', '`c`', '[x](https://e.example)', '&amp;', '&#60;', '"', "'", '\r\n', '\u2028', '\u202e', '\u200b', '\u0000', '\u001b[31m', 'a@b.example', 'www.e.example', 'ftp://x.example', '\ud800', '🔥', 'z'.repeat(700));
const value = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), nasty), { maxLength: 5 }).map((parts) => parts.join(''));
const tableOf = (maxRows: number) =>
  fc.integer({ min: 1, max: 4 }).chain((width) =>
    fc.record({
      from: fc.integer({ min: 0, max: 4e12 }),
      span: fc.integer({ min: 1, max: 48 * H }),
      group: fc.option(value, { nil: undefined }),
      columns: fc.array(fc.oneof(fc.constantFrom('user.name', 'source.ip', 'host.name'), value), { minLength: width, maxLength: width }),
      rows: fc.array(fc.record({ cells: fc.array(value, { minLength: width, maxLength: width }), count: fc.integer({ min: 1, max: 1e6 }) }), { maxLength: maxRows, size: 'max' }),
      omitted: fc.nat({ max: 1e5 }),
    }).map(({ from, span, group, columns, rows, omitted }): DigestTable => ({
      from,
      to: from + span,
      ...(group !== undefined ? { group } : {}),
      columns,
      rows: rows.map((r) => ({ ...r, first: from, last: from + span - 1 })),
      findings: rows.length + omitted,
      omitted,
    })),
  );

/** HTML text content back to text: the character references undone. */
const unescape = (html: string) => html.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
const OWN_TAG = /<\/?(?:!DOCTYPE html|html|head|meta|title|body|p|strong|table|caption|thead|tbody|tr|th|td)(?: [a-z-]+="[^"<>]*")*>/g;

test('the period and the caption say the findings, the UTC period and the per value on one line', () => {
  const from = Date.UTC(2026, 11, 7, 9, 13, 27);
  assert.equal(digestPeriod({ from, to: from + H }), '2026-12-07 09:13 to 10:13 UTC');
  assert.equal(digestPeriod({ from, to: from + 24 * H }), '2026-12-07 09:13 to 2026-12-08 09:13 UTC');
  const table: DigestTable = { from, to: from + H, group: 'alice\r\nBcc: x', columns: ['a'], rows: [], findings: 1, omitted: 0 };
  assert.equal(digestCaption(table), '1 finding for alice Bcc: x, 2026-12-07 09:13 to 10:13 UTC');
  assert.equal(notListed({ omitted: 0 }), '');
  assert.equal(notListed({ omitted: 1 }, 2), '2 more rows and 1 more finding not listed');
  assert.equal(spokenDigest({ ...table, rows: [{ cells: ['x'], count: 2, first: from, last: from }] }), '1 finding. Most frequent: 2 times x.');
});

test('generated tables render as HTML tables of exactly their rows, every value escaped text that no client can link', async () => {
  await checkProperty('digest HTML inert', fc.property(tableOf(12), fc.string({ maxLength: 40 }), (table, title) => {
    const html = digestHtml(title, table);
    assert.doesNotMatch(html.replace(OWN_TAG, ''), /[<>]/, 'no tag but alertcron\'s own');
    assert.doesNotMatch(html, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u200b]/);
    assert.equal((html.match(/<tr>/g) ?? []).length, table.rows.length + 1);
    assert.equal((html.match(/<th /g) ?? []).length, table.columns.length + 1);
    assert.equal((html.match(/<td /g) ?? []).length, table.rows.length * (table.columns.length + 1));
    const cells = [...html.matchAll(/<td [^>]*>([^<]*)<\/td>/g)].map((m) => unescape(m[1]!));
    table.rows.forEach((row, i) => {
      const shown = cells.slice(i * (table.columns.length + 1), (i + 1) * (table.columns.length + 1));
      assert.equal(shown[0], String(row.count));
      row.cells.forEach((cell, j) => {
        assert.equal(shown[j + 1]!.replace(/\u2060/g, ''), cutText(oneLine(cell), 500), 'the value, one clean line, cut');
        assert.doesNotMatch(shown[j + 1]!, /:\/\/|[@/][\p{L}\p{N}_]|\p{L}\.\p{L}/u, 'no URL, address or dotted name left whole');
      });
    });
  }), 300);
});

test('generated tables give Slack blocks it accepts: raw_text cells of one clean line, within 100 rows, 20 cells and 10,000 characters', async () => {
  await checkProperty('digest Slack blocks valid and literal', fc.property(tableOf(160), fc.oneof(value, fc.string({ minLength: 2900, maxLength: 5000 })), (table, title) => {
    const blocks = slackDigestBlocks(title, table) as { type: string; text?: { type: string; text: string }; rows?: { type: string; text: string }[][] }[];
    assert.equal(slackBlocksProblem(blocks), undefined);
    assert.equal(blocks[0]!.type, 'section');
    assert.equal(blocks[0]!.text!.type, 'plain_text');
    const rows = blocks[1]?.rows ?? [];
    assert.equal(blocks.length, table.rows.length ? 2 : 1);
    if (!rows.length) return;
    assert.deepEqual(rows[0]!.map((c) => c.text), ['count', ...table.columns.map((c) => cutText(oneLine(c), 200) || '-')]);
    for (const row of rows) for (const cell of row) {
      assert.equal(cell.type, 'raw_text');
      assert.ok(cell.text.length >= 1 && cell.text.length <= 200);
      assert.doesNotMatch(cell.text, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e\u200b]/);
    }
    const cut = table.rows.length - (rows.length - 1);
    assert.equal(blocks[0]!.text!.text.includes(`${cut} more row`), cut > 0, 'the section says how many rows are not in the table');
  }), 200);
});

test('compact lists fit their limits: Telegram within its room, SMS within its segments, each with what is not listed', async () => {
  await checkProperty('digest compact lists fit', fc.property(tableOf(60), fc.integer({ min: 20, max: 4096 }), fc.integer({ min: 1, max: 10 }), (table, room, segments) => {
    const telegram = telegramDigestText(table, room);
    assert.ok(telegram.length <= room, `${telegram.length} > ${room}`);
    const sms = smsDigestText('Logons: digest', table, segments);
    assert.ok(smsSize(sms).segments <= segments);
    const listed = sms.split('\n').filter((line) => /^\d+ \| /.test(line)).length;
    if (listed < table.rows.length && sms.endsWith('not listed')) assert.ok(sms.endsWith(notListed(table, table.rows.length - listed)), sms);
  }), 200);
});

test('a stored digest of any shape is either a usable table or none, and every renderer takes what it gives', async () => {
  const anything = fc.oneof(fc.anything(), tableOf(5), tableOf(3).map((t) => ({ ...t, rows: [...t.rows, { cells: 'x', count: 1 }] })), tableOf(3).map((t) => ({ ...t, rows: t.rows.map((r) => ({ ...r, cells: [1, null, { a: 1 }] })) })));
  await checkProperty('stored digest read safely', fc.property(anything, (stored) => {
    const digest = usableDigest(stored);
    if (!digest) return;
    for (const row of digest.rows) assert.equal(row.cells.length, digest.columns.length);
    digestHtml('t', digest);
    slackDigestBlocks('t', digest);
    telegramDigestText(digest, 4000);
    smsDigestText('t', digest, 2);
    spokenDigest(digest);
    JSON.stringify(digestJson(digest));
  }), 300);
  assert.equal(usableDigest({ from: 0, to: 1, columns: ['a'], rows: [{ cells: [7], count: 2 }], findings: 2, omitted: 0 })?.rows[0]!.cells[0], '7');
  assert.equal(usableDigest({ from: 'x', to: 1, columns: [], rows: [], findings: 0, omitted: 0 }), undefined);
});
