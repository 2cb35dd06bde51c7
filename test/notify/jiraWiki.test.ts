// Pure parts of the jira channel: wiki markup escaping (property-tested: nothing a value holds stays markup, and the
// text reads back the same), cutting without half an escape, the digest table, and the issue fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutWiki, inertWiki } from '../../src/notify/channels/jira/wikiText.js';
import { wikiDigest } from '../../src/notify/channels/jira/digestTable.js';
import { issueFields, issueSummary } from '../../src/notify/channels/jira/issueBody.js';
import type { JiraChannelConfig } from '../../src/notify/channels/jira/types.js';
import { cleanText } from '../../src/util/text.js';
import { checkProperty, fc } from '../support/property.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';

/** Wiki text read back as Jira shows it: an escaped character is itself, &#92; a backslash. */
const readBack = (wiki: string) => wiki.replace(/\\([!-/:-@[\]-`{-~])|&#92;/g, (whole, char: string | undefined) => char ?? '\\');
/** Every ASCII punctuation character is escaped, or part of the backslash entity. */
const ALL_ESCAPED = /^(?:\\[!-/:-@[\]-`{-~]|&#92;|[^!-/:-@[-`{-~])*$/s;

/** Characters that matter to wiki markup, mixed with ordinary text, lines and surrogates. */
const wikiish = fc.string({ unit: fc.oneof(fc.constantFrom(...'[]{}|!*_-+^~?#\\:;.@&()/h1 \n\r\t\u202e\u200b'.split('')), fc.string({ maxLength: 3, unit: 'grapheme' }), fc.constantFrom('\ud800', '🔥')), maxLength: 60 });

test('inertWiki escapes every punctuation character (a backslash as &#92;) and reads back as the cleaned text', async () => {
  await checkProperty(
    'jira inertWiki',
    fc.property(wikiish, (text) => {
      const wiki = inertWiki(text);
      assert.match(wiki, ALL_ESCAPED);
      assert.equal(readBack(wiki), cleanText(text));
    }),
    300,
  );
  assert.equal(inertWiki(HOSTILE_FIELDS.wiki).includes('[~admin]'), false);
  assert.equal(inertWiki('a\\\\b'), 'a&#92;&#92;b', 'two backslashes are not a line break');
  assert.equal(inertWiki('{noformat}x'), '\\{noformat\\}x');
});

test('cutWiki never leaves half an escape or half an entity before the mark, and keeps the limit', async () => {
  await checkProperty(
    'jira cutWiki',
    fc.property(wikiish, fc.integer({ min: 1, max: 80 }), (text, max) => {
      const cut = cutWiki(inertWiki(text), max);
      assert.ok(cut.length <= Math.max(max, 1));
      if (cut !== inertWiki(text)) {
        const body = cut.slice(0, -1);
        assert.match(body, ALL_ESCAPED);
        assert.ok(!/\\$|&#?\d*$/.test(body), JSON.stringify(cut));
        assert.ok(!/[\ud800-\udbff]$/.test(body));
      }
    }),
    300,
  );
});

const config: JiraChannelConfig = {
  type: 'jira', url: 'https://example.atlassian.net', project: 'SEC', issue_type: 'Task', summary: '{{title}} on {{host.name}}', description: '{{message}}',
  labels: ['alertcron'], components: ['SOC'], watchers: [], priority: 'High', assignee: '5b10a2844c20165700ede21g', cloud: true, timeout: 10_000,
};
const notice = { alert: 'a', key: 'k', reason: 'first', title: 'T\nline', message: 'm [x|https://e.example]', labels: { 'host.name': 'h'.repeat(300) } };

test('issue fields: summary one line cut to 255, description escaped, the incident label added, Cloud assignee by accountId', () => {
  const fields = issueFields(config, notice, 'alertcron-abc');
  assert.equal(fields.summary, issueSummary(config, notice));
  assert.equal((fields.summary as string).length, 255);
  assert.ok(!(fields.summary as string).includes('\n'));
  assert.equal(fields.description, 'm \\[x\\|https\\:\\/\\/e\\.example\\]');
  assert.deepEqual(fields.labels, ['alertcron', 'alertcron-abc']);
  assert.deepEqual(fields.assignee, { accountId: '5b10a2844c20165700ede21g' });
  assert.deepEqual(issueFields({ ...config, cloud: false }, notice, undefined).assignee, { name: '5b10a2844c20165700ede21g' });
});

test('a digest is a wiki table of escaped cells within the room, the rest counted', () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ cells: [`user|${i}`, '[~admin]'], count: 50 - i, first: 0, last: 0 }));
  const table = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 1, 1), columns: ['user.name', 'note'], rows, findings: 60, omitted: 10 };
  const wiki = wikiDigest(table, 600);
  assert.ok(wiki.length <= 600);
  const lines = wiki.split('\n');
  assert.equal(lines[2], '||count||user\\.name||note||');
  assert.equal(lines[3], '|50|user\\|0|\\[\\~admin\\]|');
  assert.match(wiki, /\n\n\d+ more rows and 10 more findings not listed$/);
});
