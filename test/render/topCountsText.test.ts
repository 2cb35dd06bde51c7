// Top values from the logs render as one inert line per field, each value one clean line within its limit, in
// every channel's own escaping (Slack fallback, Telegram HTML).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fallbackText } from '../../src/notify/slack.js';
import { telegramMessage } from '../../src/notify/telegram.js';
import { renderFinding } from '../../src/render/render.js';
import { topCountsText, topValuesText } from '../../src/render/topCountsText.js';
import { checkProperty, fc } from '../support/property.js';

const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u;
const nasty = fc.constantFrom('\u202e', '\u200b', '\u001b[31m', '\r\n', '\u2028', '\u0000', '<@U123>', '<!channel>', '<https://evil.example|x>', '&', '*b*', '<b>', '@all', 'x'.repeat(300));
const value = fc.array(fc.oneof(fc.string({ unit: 'binary' }), nasty), { maxLength: 6 }).map((parts) => parts.join(''));
const tops = fc.array(fc.record({ field: fc.constantFrom('source.ip', 'user.name', 'host'), values: fc.array(fc.record({ value, count: fc.nat() }), { maxLength: 5 }) }), { minLength: 1, maxLength: 3 });

test('arbitrary top values render as one clean line per field, each value within 100 characters, inert in Slack and Telegram', async () => {
  await checkProperty('top counts render inert', fc.property(tops, (top) => {
    const text = topCountsText(top);
    const lines = text.split('\n');
    assert.equal(lines.length, top.length);
    lines.forEach((line, i) => {
      assert.ok(line.startsWith(`${top[i]!.field}: `), line);
      assert.doesNotMatch(line, FORBIDDEN);
      // The line is its values' own renderings, each at most 100 characters followed by its count.
      const parts = top[i]!.values.map((v) => topValuesText({ field: top[i]!.field, values: [v] }));
      parts.forEach((part, j) => assert.ok(part.length <= 100 + ` (${top[i]!.values[j]!.count})`.length, part));
      assert.equal(line, `${top[i]!.field}: ${parts.length ? parts.join(', ') : '(none)'}`);
    });
    const { message } = renderFinding({ name: 'a', description: '', title: 't', samples: 0 }, { key: 'k', count: 1, fields: {}, samples: [], top_counts: top }, { from: 0, to: 60_000 });
    assert.ok(message.endsWith(`\n\nTop counts:\n${text}`));
    assert.doesNotMatch(fallbackText(message), /<[@!h]/);
    const telegram = telegramMessage({ title: 't', message } as Parameters<typeof telegramMessage>[0], { chat_id: 1, disable_notification: false }).text;
    assert.doesNotMatch(telegram.replace(/^<b>t<\/b>\n/, ''), /<|@(?=[\p{L}\p{N}_])|:\/\//u);
  }), 300);
});

test('the list follows the message unless the message places {{top_counts}} or {{top_counts.<field>}}; the words alone do not', () => {
  const top = [{ field: 'source.ip', values: [{ value: '203.0.113.5', count: 3 }] }];
  const render = (message: string) => renderFinding({ name: 'a', description: '', title: 't', message, samples: 0 }, { key: 'k', count: 1, fields: { top_counts: 'x' }, samples: [], top_counts: top }, { from: 0, to: 60_000 }).message;
  assert.equal(render('see top_counts below'), 'see top_counts below\n\nTop counts:\nsource.ip: 203.0.113.5 (3)');
  assert.equal(render('{{fields.top_counts}}'), 'x\n\nTop counts:\nsource.ip: 203.0.113.5 (3)');
  assert.equal(render('{{ top_counts }}'), 'source.ip: 203.0.113.5 (3)');
  assert.equal(render('{{top_counts.source.ip}}'), '203.0.113.5 (3)');
  // alertcron's own namespace names the same list: placed once, not listed again after the message.
  assert.equal(render('{{alertcron.top_counts}}'), 'source.ip: 203.0.113.5 (3)');
});
