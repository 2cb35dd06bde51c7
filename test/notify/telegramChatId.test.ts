import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isChatId, MAX_CHAT_ID, MIN_CHAT_ID, notAChatId } from '../../src/notify/telegramChatId.js';
import { checkProperty } from '../support/property.js';

test('isChatId: exactly the plainly written whole numbers of Telegram\'s range, 0 excluded', async () => {
  for (const ok of ['1', '-1', '-1001234567890', String(MIN_CHAT_ID), String(MAX_CHAT_ID), '123456789']) assert.equal(isChatId(ok), true, ok);
  for (const bad of ['0', '-0', '00', '0123', '+5', '1e3', '', '-', '1.0', ' 1', String(MIN_CHAT_ID - 1), String(MAX_CHAT_ID + 1), '1'.repeat(30), '١٢٣']) assert.equal(isChatId(bad), false, bad);
  await checkProperty(
    'isChatId agrees with the range on any integer',
    fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (n) => {
      assert.equal(isChatId(n.toString()), n !== 0n && n >= BigInt(MIN_CHAT_ID) && n <= BigInt(MAX_CHAT_ID));
    }),
    500,
  );
  await checkProperty(
    'isChatId is false for any text that is not a plain integer',
    fc.property(fc.string({ maxLength: 30 }), (text) => {
      if (!/^-?[1-9]\d*$/.test(text)) assert.equal(isChatId(text), false, text);
      // The refusal names what was typed as one clean line of at most 41 characters (an ellipsis when cut), then the rule.
      const said = notAChatId('accept', text);
      const shown = said.slice(0, said.indexOf(' is not a Telegram chat id'));
      assert.ok(shown.replaceAll('\u2060', '').length <= 41, shown); // word joiners keep commands and links inert
      assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u, shown);
    }),
    300,
  );
});
