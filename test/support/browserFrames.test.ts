// The browser's pipe delivers its CDP messages in reads cut anywhere, in the middle of a message or of a UTF-8
// character: the driver must read back exactly the messages the browser wrote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NulFrames } from './browser.js';
import { checkProperty, fc } from './property.js';

test('property: messages cut into reads at any byte come back whole and in order, multi-byte characters included', async () => {
  const message = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.constant(null)), { maxKeys: 4 }).map((o) => JSON.stringify(o));
  await checkProperty(
    'NulFrames: any cuts give back the messages',
    fc.property(fc.array(message, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (messages, cuts) => {
      const bytes = Buffer.from(messages.map((m) => `${m}\0`).join(''), 'utf8');
      const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const frames = new NulFrames();
      const read: string[] = [];
      let from = 0;
      for (const to of [...at, bytes.length]) {
        read.push(...frames.push(bytes.subarray(from, to)));
        from = to;
      }
      assert.deepEqual(read, messages);
    }),
    300,
  );
});
