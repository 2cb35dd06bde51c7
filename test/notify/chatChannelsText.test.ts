// Generated-input tests of the Teams and Google Chat formats: any text (log values, with every hostile fragment mixed
// in) comes out inert and within the service's limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inertCardHtml, inertChatText } from '../../src/notify/channels/google-chat/chatText.js';
import { googleChatBody, MAX_MESSAGE_BYTES, MAX_TEXT_CHARS } from '../../src/notify/channels/google-chat/message.js';
import type { GoogleChatChannelConfig } from '../../src/notify/channels/google-chat/types.js';
import { inertCardText, MAX_BODY_BYTES, teamsBody } from '../../src/notify/channels/teams/card.js';
import { retiredConnectorUrl } from '../../src/notify/channels/teams/retiredUrl.js';
import type { TeamsChannelConfig } from '../../src/notify/channels/teams/types.js';
import type { Notification } from '../../src/notify/types.js';
import { chatFormatting } from '../support/googleChatServer.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';
import { checkProperty } from '../support/property.js';
import { cardTexts, teamsLinks, teamsMessageProblem } from '../support/teamsWorkflowServer.js';

/** Text as logs carry it: any characters, with the hostile fragments and formatting characters of every chat mixed in. */
const logText = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...Object.values(HOSTILE_FIELDS).map((v) => v.slice(0, 300)), '*', '_', '~', '`', '<', '>', '|', '\n- ', '\n> ', '://', 'www.', '@', '{{', '<users/all>', '<https://x.example|y>', 'paypa1.com/x', 'evil1.com', ' login-office365.com/reset', 'v1.2.3 10.0.0.1', '[a](b)', '[r]: x', '[t][r]', '\n# H', '\n1. x', '\n2) y', '\n+ z', '\n---\n', '\n==\n', 'a\n-\n')), { maxLength: 8 })
  .map((parts) => parts.join(''));

const notice = (title: string, message: string, labels: Record<string, string> = {}): Notification => ({ alert: 'logons', key: 'root', reason: 'first', title, message, labels });
const teams: TeamsChannelConfig = { type: 'teams', webhook_url: 'https://prod-00.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s', facts: ['a', 'b'], full_width: false, timeout: 1000 };
const chat = (format: 'text' | 'card'): GoogleChatChannelConfig => ({ type: 'google-chat', webhook_url: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t', format, thread_key: '{{key}}', timeout: 1000 });
const noBadCharacters = (text: string) => !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

test('Google Chat text: any log text shows no mention, link, style, quote, bullet or linkable URL, and no control or broken character', async () => {
  await checkProperty(
    'google chat text is inert',
    fc.property(logText, (text) => {
      const inert = inertChatText(text);
      assert.deepEqual(chatFormatting(inert), []);
      assert.ok(noBadCharacters(inert));
    }),
    300,
  );
});

test('Google Chat card HTML: any log text makes no tag but <br>, no entity of its own, no linkable URL', async () => {
  await checkProperty(
    'google chat card html is inert',
    fc.property(logText, (text) => {
      const html = inertCardHtml(text);
      assert.deepEqual([...new Set([...html.matchAll(/<[^>]*>/g)].map((m) => m[0]))].filter((tag) => tag !== '<br>'), []);
      assert.ok(!/&(?!#\d+;)/.test(html), 'every & starts an entity alertcron wrote');
      assert.ok(!/[a-z]:\/\//i.test(html));
    }),
    300,
  );
});

test('Teams card text: any log text has no linkable URL, no {{function}}, no control or broken character', async () => {
  await checkProperty(
    'teams card text is inert',
    fc.property(logText, (text) => {
      const inert = inertCardText(text);
      assert.deepEqual(teamsLinks(inert), []);
      assert.ok(!inert.includes('{{'));
      assert.ok(noBadCharacters(inert));
    }),
    300,
  );
});

test('bodies stay within the services\' limits whatever the text: a Teams card Teams posts (28 KB), a Google Chat message of 4,096 characters and 32,000 bytes', async () => {
  const long = fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4_000 })).map(([part, times]) => part.repeat(times));
  const big = fc.tuple(logText, long, fc.nat({ max: 3 }));
  await checkProperty(
    'chat bodies fit',
    fc.property(big, ([title, long, repeat]) => {
      const message = `${long}${title}`.repeat(repeat + 1);
      const card = teamsBody(teams, notice(title, message, { a: message.slice(0, 2000), b: title }));
      assert.ok(Buffer.byteLength(card) <= MAX_BODY_BYTES);
      const parsed = JSON.parse(card);
      assert.equal(teamsMessageProblem(parsed, Buffer.byteLength(card)), undefined);
      assert.deepEqual(cardTexts(parsed.attachments[0].content).markdown, []);
      const text = JSON.parse(googleChatBody(chat('text'), notice(title, message)));
      assert.ok(text.text.length <= MAX_TEXT_CHARS && Buffer.byteLength(JSON.stringify(text)) <= MAX_MESSAGE_BYTES);
      assert.ok(Buffer.byteLength(googleChatBody(chat('card'), notice(title, message))) <= MAX_MESSAGE_BYTES);
    }),
    40,
  );
});

test('a Teams card with 20 fields of worst-case values (dotted non-Latin letters, each a joiner more once inert) and a long title stays under the limit: the fields are shortened, then the last left out and counted', async () => {
  const worst = fc.tuple(fc.constantFrom('ꀀ.', '한.', '\u{1F525}.', 'ab.', '"\\', 'x'), fc.integer({ min: 1, max: 5_000 })).map(([part, times]) => part.repeat(times));
  const names = Array.from({ length: 20 }, (_, i) => `${'ꀀ.'.repeat(60)}${i}`);
  const config: TeamsChannelConfig = { ...teams, facts: names };
  await checkProperty(
    'teams facts fit',
    fc.property(fc.array(worst, { minLength: 20, maxLength: 20 }), worst, worst, (values, title, message) => {
      const card = teamsBody(config, { ...notice(title, message), values: Object.fromEntries(names.map((name, i) => [name, values[i]!])) });
      const bytes = Buffer.byteLength(card);
      assert.ok(bytes <= MAX_BODY_BYTES, `${bytes} bytes`);
      const parsed = JSON.parse(card);
      assert.equal(teamsMessageProblem(parsed, bytes), undefined);
      assert.ok(parsed.attachments[0].content.body.length >= 2, 'the title and at least the message or a row');
    }),
    30,
  );
  const values = Object.fromEntries(names.map((name) => [name, 'ꀀ.'.repeat(300)]));
  const card = JSON.parse(teamsBody(config, { ...notice('ꀀ.'.repeat(600), 'important message'), values }));
  const texts = cardTexts(card.attachments[0].content).plain.map((t) => t.replace(/\u2060/g, ''));
  assert.ok(texts.includes('important message'), 'the message is kept whole');
  assert.ok(Buffer.byteLength(JSON.stringify(card)) <= MAX_BODY_BYTES);
  const fourteen = JSON.parse(teamsBody({ ...config, facts: names.slice(0, 14) }, { ...notice('Logon', 'important message'), values }));
  assert.ok(Buffer.byteLength(JSON.stringify(fourteen)) <= MAX_BODY_BYTES, 'the reviewer\'s 14 facts fit');
  assert.equal(cardTexts(fourteen.attachments[0].content).plain.filter((t) => t.startsWith('ꀀ')).length, 28, 'all 14 rows kept, shortened');
});

test('retired connector URLs are recognised by host and path; Workflows URLs are not', () => {
  assert.match(retiredConnectorUrl('https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d')!, /Office 365 connector URL \(contoso\.webhook\.office\.com\)/);
  assert.match(retiredConnectorUrl('https://outlook.office.com/webhook/a@b/IncomingWebhook/c/d')!, /outlook\.office\.com/);
  assert.match(retiredConnectorUrl('https://outlook.office365.com/webhook/a@b/IncomingWebhook/c/d')!, /outlook\.office365\.com/);
  for (const url of [
    'https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=abc',
    'https://default0a1b.2c.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/0a1b/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=abc',
    'https://outlook.office.com/mail/',
    'not a url',
  ])
    assert.equal(retiredConnectorUrl(url), undefined, url);
});
