import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAlerts } from '../../src/config/loadAlerts.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { formatProblem } from '../../src/config/problems.js';
import { CHANNEL_KINDS } from '../../src/notify/channels/registry.js';
import { REPO_ROOT } from '../support/project.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

// One fixture per error case; its trailing "# expect:" lines are the exact messages, in order.
for (const name of readdirSync(join(FIXTURES, 'invalid-alerts'))) {
  test(`invalid alert ${name} is reported exactly`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertcron-fixture-'));
    try {
      cpSync(join(FIXTURES, 'project'), dir, { recursive: true });
      mkdirSync(join(dir, 'alerts'));
      cpSync(join(FIXTURES, 'invalid-alerts', name), join(dir, 'alerts', name));
      cpSync(join(REPO_ROOT, 'alerts', 'admin-logins.yaml'), join(dir, 'alerts', 'admin-logins.yaml'));
      cpSync(join(REPO_ROOT, 'queries', 'admin-logins.json'), join(dir, 'queries', 'admin-logins.json'));
      const expected = readFileSync(join(FIXTURES, 'invalid-alerts', name), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('# expect: '))
        .map((line) => line.slice('# expect: '.length));
      assert.ok(expected.length > 0, 'the fixture states what it expects');
      const config = await loadConfig(join(dir, 'alertcron.yaml'), { SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/services/x' });
      const loaded = await loadAlerts(config);
      assert.deepEqual(loaded.problems.map(formatProblem), expected);
      assert.deepEqual(loaded.alerts.map((a) => a.name), ['admin-logins'], 'the valid alert beside it still loads');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('alertcron.yaml: every problem at once, secrets refused inline, env vars and *_file resolved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-config-'));
  try {
    const file = join(dir, 'alertcron.yaml');
    writeFileSync(file, [
      'elasticsearch:',
      '  url: http://127.0.0.1:9200',
      '  pasword: x',
      'channels:',
      '  a: { type: email, host: h, from: a@b.c, to: ["x@y.z\\nBcc: evil@e.com"] }',
      '  s: { type: slak }',
      '  t: { type: slack, webhook_url: "https://hooks.slack.com/services/T/B/inline" }',
      '  u: { type: slack, webhook_url: "${MISSING_VAR}" }',
      'defaults: { every: 5x, throttle: sometimes }',
    ].join('\n'));
    await assert.rejects(() => loadConfig(file, {}), (error: Error) => {
      assert.deepEqual(error.message.split('\n'), [
        'alertcron.yaml:7:34 /channels/t/webhook_url: secrets must not be written inline: use webhook_url: ${SOME_ENV_VAR} or webhook_url_file: /path/to/file',
        'alertcron.yaml:3:3 /elasticsearch/pasword: unknown key "pasword" (did you mean "password"?)',
        'alertcron.yaml:5:48 /channels/a/to/0: must be a plain address local@domain: no display name, no commas or line breaks',
        `alertcron.yaml:6:14 /channels/s/type: unknown type (use one of ${CHANNEL_KINDS.map((kind) => kind.type).join(', ')})`,
        'alertcron.yaml:9:20 /defaults/every: must be a duration such as 30s, 5m, 1h30m, 7d',
        'alertcron.yaml:9:34 /defaults/throttle: must be a duration such as 30s, 5m, 1h30m, 7d or "once"',
      ].map((line) => line.replace('alertcron.yaml', file)));
      return true;
    });
    writeFileSync(file, 'channels:\n  u: { type: slack, webhook_url: "${MISSING_VAR}" }\n  f: { type: slack, webhook_url_file: nowhere.txt }\n');
    const lenient = await loadConfig(file, {});
    assert.deepEqual(lenient.unset.map((u) => [u.channel, formatProblem(u.problem).replace(file, 'alertcron.yaml')]), [
      ['u', 'alertcron.yaml:2:34 /channels/u/webhook_url: environment variable MISSING_VAR is not set (export it in the crontab or use a *_file key)'],
      ['f', 'alertcron.yaml:3:39 /channels/f/webhook_url_file: cannot read webhook_url_file: nowhere.txt does not exist'],
    ]);
    assert.match(lenient.channels.u!.missingSecret!, /^environment variable MISSING_VAR is not set/);
    assert.match(lenient.channels.f!.missingSecret!, /^cannot read webhook_url_file: nowhere\.txt does not exist$/);
    writeFileSync(file, 'channels:\n  s: { type: slack, webhook_url_file: hook.txt }\n');
    writeFileSync(join(dir, 'hook.txt'), 'https://hooks.slack.com/services/T/B/fromfile\n');
    const config = await loadConfig(file, {});
    assert.deepEqual(config.channels.s, { type: 'slack', webhook_url: 'https://hooks.slack.com/services/T/B/fromfile', timeout: 10_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('channel settings are checked: phone numbers, account SIDs, chat ids, inline tokens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-config-'));
  try {
    const file = join(dir, 'alertcron.yaml');
    writeFileSync(file, [
      'channels:',
      '  sms: { type: twilio-sms, account_sid: SK123, auth_token: "${T}", from: "+15005550006", to: ["555-1234"] }',
      '  call: { type: twilio-call, account_sid: AC0123456789abcdef0123456789abcdef, auth_token: "plain", to: ["+15551234567"] }',
      '  tg: { type: telegram, bot_token: "${T}", chat_id: "my chat" }',
      '  hook: { type: webhook, url: "https://user:pw@hooks.example.org/x" }',
      '  bot: { type: telegram, bot_token: "${T}", bot: true }',
      '  app: { type: slack-app, bot_token: "${T}", channel: "#alerts", reactions: { ack: ":+1:" } }',
    ].join('\n'));
    await assert.rejects(() => loadConfig(file, { T: 'token' }), (error: Error) => {
      assert.deepEqual(error.message.split('\n'), [
        'alertcron.yaml:3:91 /channels/call/auth_token: secrets must not be written inline: use auth_token: ${SOME_ENV_VAR} or auth_token_file: /path/to/file',
        'alertcron.yaml:5:31 /channels/hook/url: credentials must not be part of the URL: use username and password (or api_key) beside it',
        'alertcron.yaml:2:41 /channels/sms/account_sid: must be the Twilio account SID (AC followed by 32 hex digits)',
        'alertcron.yaml:2:95 /channels/sms/to/0: must be a phone number in E.164 form, e.g. +15551234567',
        'alertcron.yaml:3:9 /channels/call: missing required key "from"',
        'alertcron.yaml:4:53 /channels/tg/chat_id: must be an integer or a chat id as text ("-1001234") or @channelname',
        'alertcron.yaml:6:8 /channels/bot: missing required key "chat_id" (or set admin_chat_id)',
        'alertcron.yaml:7:55 /channels/app/channel: must be the channel id (C..., G... or D...; in Slack: channel details, at the bottom). The app must be a member',
        'alertcron.yaml:7:84 /channels/app/reactions/ack: must be an emoji name without colons, e.g. white_check_mark',
      ].map((line) => line.replace('alertcron.yaml', file)));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
