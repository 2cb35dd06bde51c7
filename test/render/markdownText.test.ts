// The shared chat-markdown helpers (src/render/markdownText.ts) and the per-service payloads built on them: whatever
// the text, escaped markdown cut to a limit never ends in a backslash that escapes what follows, a code block cannot
// be closed from inside, no Mattermost mention survives, and the Discord and Mattermost payloads stay within limits
// with no markup but their own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discordPayload } from '../../src/notify/channels/discord/payload.js';
import { breakMattermostMentions } from '../../src/notify/channels/mattermost/mentions.js';
import { mattermostPayload, MATTERMOST_TEXT_CHARS } from '../../src/notify/channels/mattermost/payload.js';
import type { Notification } from '../../src/notify/types.js';
import { cutMarkdown, inertCodeBlock, inertMarkdown } from '../../src/render/markdownText.js';
import { cleanText } from '../../src/util/text.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';
import { unescapedPunctuation, unescapeMarkdown } from '../support/markdownCheck.js';
import { mentionsIn } from '../support/mattermostServer.js';
import { checkProperty, fc } from '../support/property.js';

/** Text rich in what chat markdown acts on: escapes, mentions, links, emphasis, code, emoji and broken characters. */
const chatText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'\\\\\\[]()<>!*_`#|~:/.@&=-+ aZ9\n'), maxLength: 80 }),
  fc.array(fc.constantFrom(...Object.values(HOSTILE_FIELDS).map((v) => v.slice(0, 300)), '\\', '\\\\', '@channel', '@all', '@here', '@alice.b', '~town-square', '#tag', ':smile:', '```', '😀', '\ud800', '\u2060'), { maxLength: 8 }).map((parts) => parts.join(' ')),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

test('property: escaped markdown cut to any length stays within it, ends on no dangling backslash, and reads as a prefix of the text', async () => {
  await checkProperty(
    'cut inert markdown',
    fc.property(chatText, fc.integer({ min: 0, max: 120 }), (text, max) => {
      const cut = cutMarkdown(inertMarkdown(text), max);
      assert.ok(cut.length <= max, `${cut.length} > ${max}`);
      // What a channel puts after it (the closing ** of a bold title) must stay markup.
      assert.deepEqual(unescapedPunctuation(`${cut}**`).map((p) => p.char), ['*', '*'], JSON.stringify(cut));
      const kept = cut.endsWith('…') && !inertMarkdown(text).endsWith('…') ? cut.slice(0, -1) : cut;
      assert.ok(cleanText(text).startsWith(unescapeMarkdown(kept)), 'reads as the start of the text');
    }),
    400,
  );
});

test('property: a code block of any text within any room has one opening and one closing fence, nothing inside can close it', async () => {
  await checkProperty(
    'inert code block',
    fc.property(chatText, fc.integer({ min: 8, max: 200 }), (text, max) => {
      const block = inertCodeBlock(text, max);
      assert.ok(block.length <= max);
      assert.ok(block.startsWith('```\n') && block.endsWith('\n```'));
      assert.ok(!block.slice(4, -4).includes('`'), 'no backtick inside');
    }),
    300,
  );
});

test('property: no Mattermost mention survives escaping and breaking, and the text reads the same', async () => {
  await checkProperty(
    'mattermost mentions',
    fc.property(chatText, (text) => {
      const inert = breakMattermostMentions(inertMarkdown(text));
      assert.deepEqual(mentionsIn(inert), []);
      assert.equal(unescapeMarkdown(inert).replace(/\u2060/g, ''), cleanText(text));
    }),
    400,
  );
  // The finder is not blind: escaping alone leaves the mentions Mattermost would notify.
  assert.deepEqual(mentionsIn(inertMarkdown('@channel hi @alice')), ['@channel', '@alice']);
});

const notice = (title: string, message: string): Notification => ({ alert: 'logons', key: 'k', reason: 'first', title, message });

test('property: any notice becomes a Discord message within its limits, markup only its own, mentions off', async () => {
  const config = { type: 'discord' as const, webhook_url: 'https://discord.example/api/webhooks/1/x', timeout: 1000, color: 1 };
  await checkProperty(
    'discord payload',
    fc.property(chatText, fc.oneof(chatText, fc.constant(HOSTILE_FIELDS.long)), (title, message) => {
      const payload = discordPayload(config, notice(title, message));
      assert.ok(payload.content.length <= 2000);
      assert.deepEqual(unescapedPunctuation(payload.content).map((p) => p.at), [0, 1, payload.content.length - 2, payload.content.length - 1]);
      for (const embed of payload.embeds ?? []) {
        assert.ok(embed.description.length <= 4096 && embed.description.length > 0);
        assert.deepEqual(unescapedPunctuation(embed.description), []);
      }
      assert.deepEqual(payload.allowed_mentions, { parse: [] });
    }),
    200,
  );
});

test('property: any notice becomes a Mattermost post within its size, markup only its own, no mention', async () => {
  const config = { type: 'mattermost' as const, webhook_url: 'https://mm.example/hooks/x', timeout: 1000 };
  await checkProperty(
    'mattermost payload',
    fc.property(chatText, fc.oneof(chatText, fc.constant(HOSTILE_FIELDS.long.repeat(2))), (title, message) => {
      const text = mattermostPayload(config, notice(title, message)).text!;
      assert.ok(text.length <= MATTERMOST_TEXT_CHARS);
      const heading = text.split('\n')[0]!;
      assert.deepEqual(unescapedPunctuation(heading).map((p) => p.at), [0, 1, heading.length - 2, heading.length - 1]);
      assert.deepEqual(unescapedPunctuation(text.slice(heading.length)), []);
      assert.deepEqual(mentionsIn(text), []);
    }),
    200,
  );
});
