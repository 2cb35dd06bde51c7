import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fallbackText } from '../../src/notify/slack.js';
import { escapeTelegramHtml } from '../../src/notify/telegram.js';
import { inertForChat } from '../../src/notify/text.js';
import { inertQuote } from '../../src/render/inertQuote.js';
import { cleanText, cutText, oneLine, quoted } from '../../src/util/text.js';
import { changeRule } from '../../src/rules/change.js';
import { GROUP_AGG } from '../../src/rules/search.js';
import type { RuleAlert } from '../../src/rules/types.js';
import { checkProperty, fc } from '../support/property.js';

/** Characters that must never reach a display: controls (but \n), format characters (bidi, zero-width, BOM), line separators. */
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Any UTF-16 text (lone surrogates included), with the nasty characters mixed in often. */
const nasty = fc.constantFrom('\u202e', '\u202d', '\u2066', '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u001b[31m', '\u001b]8;;http://x\u0007', '\u009b1m', '\r\n', '\r', '\u2028', '\u0085', '\ud800', '\udc00', '😀', '👨‍👩‍👧', '\u0000', '\t', '<@U123>', '<!channel>', '&', '@all', '/start');
const anyText = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), nasty), { maxLength: 12 }).map((parts) => parts.join(''));

test('cleanText / oneLine / cutText: examples from the issue', () => {
  assert.equal(cleanText('Ev\u202eil\u200b \u001b[31mred\u001b[0m\r\nline\ud800'), 'Evil red\nline\ufffd');
  assert.equal(oneLine(' a\r\n\tb  c '), 'a b c');
  assert.equal(cutText(`${'x'.repeat(63)}😀`, 64, ''), 'x'.repeat(63), 'never half an emoji');
  assert.equal(cutText(`${'x'.repeat(62)}😀y`, 64), `${'x'.repeat(62)}…`);
  assert.equal(cutText('short', 64), 'short');
});

test('property: for any text, the sanitiser leaves no control, direction or zero-width character, no lone surrogate, and respects the cap', async () => {
  await checkProperty(
    'one sanitiser',
    fc.property(anyText, fc.integer({ min: 0, max: 80 }), (text, max) => {
      const clean = cleanText(text);
      assert.doesNotMatch(clean, FORBIDDEN);
      assert.doesNotMatch(clean, LONE);
      assert.ok(!clean.includes('\u001b') && !clean.includes('\u009b'), 'no terminal escape');
      const line = oneLine(text, max);
      assert.doesNotMatch(line, FORBIDDEN);
      assert.doesNotMatch(line, /\n/);
      assert.doesNotMatch(line, LONE);
      assert.ok(line.length <= max, `${line.length} > ${max}`);
      const cut = cutText(clean, max);
      assert.ok(cut.length <= max);
      assert.doesNotMatch(cut, LONE, 'a cut never splits a surrogate pair');
      assert.equal(cleanText(clean), clean, 'cleaning twice changes nothing');
    }),
    500,
  );
});

test('property: each channel escaping still holds on top of the sanitiser', async () => {
  await checkProperty(
    'channel escaping over clean text',
    fc.property(anyText, (text) => {
      const clean = cleanText(text);
      // Slack: no <...> control sequence (mention, link, <!channel>) can be formed; & only as an entity.
      const slack = fallbackText(clean);
      assert.doesNotMatch(slack, /[<>]|&(?!amp;|lt;|gt;)/);
      // Telegram HTML: no tag, & only as an entity.
      assert.doesNotMatch(escapeTelegramHtml(clean), /[<>]|&(?!amp;|lt;|gt;)/);
      // Telegram plain text: no tappable command or mention (a word joiner follows each / and @ before a word).
      assert.doesNotMatch(inertForChat(clean), /[/@][\p{L}\p{N}_]/u);
      // A quoted chat answer: one line, no markup or mention, at most 300 characters and the mark.
      const quoted = inertQuote(text);
      assert.doesNotMatch(quoted, /[<>`*\n@]|\p{Cf}/u);
      assert.doesNotMatch(quoted, LONE);
      assert.ok(quoted.length <= 303);
    }),
    300,
  );
});

test('property: no key value can add a line or an escape to a warning on stderr (quoted, and the change rule\'s note on crowded keys)', async () => {
  const condition = changeRule.complete({ type: 'change', compare_key: 'geo.country' }, 'alerts/travel.yaml');
  const alert: RuleAlert = { name: 'travel', file: 'alerts/travel.yaml', index: 'logs', query: {}, condition, group_by: ['user.name'], group_size: 100, timestamp_field: '@timestamp', samples: 0 };
  await checkProperty(
    'key values quoted on stderr',
    fc.property(fc.array(anyText, { minLength: 1, maxLength: 7 }), (keys) => {
      for (const key of keys) {
        const q = quoted(key);
        assert.doesNotMatch(q, /\n/);
        assert.doesNotMatch(q, FORBIDDEN);
        assert.doesNotMatch(q, LONE);
        assert.equal(typeof JSON.parse(q), 'string', 'one JSON string');
      }
      // Each key had more events in the window than the rule reads: the note names (some of) them.
      const buckets = keys.map((key) => ({ key, doc_count: 500, alertcron_window: { doc_count: 500, alertcron_events: { hits: { hits: [] } } } }));
      const output = changeRule.evaluate({ alert, condition, window: { from: 0, to: 60_000 }, response: { aggregations: { [GROUP_AGG]: { buckets } } } as never, state: undefined }) as { note?: string };
      assert.ok(output.note);
      assert.doesNotMatch(output.note, /\n/);
      assert.doesNotMatch(output.note, FORBIDDEN);
    }),
    300,
  );
});
