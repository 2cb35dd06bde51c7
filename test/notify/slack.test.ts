import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeSlack, slackPayload } from '../../src/notify/slack.js';

test('Slack control characters are escaped in the fallback text and the body goes in plain_text', () => {
  assert.equal(escapeSlack('<!channel> & <https://evil.example|click>'), '&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  const payload = slackPayload({ alert: 'a', key: 'k', reason: 'first', title: 'x <!here>', message: 'm'.repeat(5000) });
  assert.equal(payload.text, 'x &lt;!here&gt;');
  assert.equal(payload.blocks[0]!.text.type, 'plain_text');
  assert.equal(payload.blocks[0]!.text.text.length, 3000);
  assert.equal(payload.unfurl_links, false);
  assert.equal(payload.unfurl_media, false);
});
