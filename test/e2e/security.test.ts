// Log data is written by attackers and secrets are secrets: both hold for every channel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsSize } from '../../src/notify/sms/segments.js';
import { useChannelServers } from '../support/channelWorld.js';
import { startSmtpSink } from '../support/smtpSink.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const ALL = ['soc-email', 'soc-slack', 'oncall-sms', 'oncall-call', 'team-telegram', 'hook'];

async function firing(notify: string[], fields: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-security');
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - MIN, 'root'), ...fields }]);
  const project = world.project();
  Object.assign(project.env, servers.secrets);
  project.writeAlert('admins', {
    index,
    condition: { type: 'any' },
    group_by: 'winlog.event_data.TargetUserName',
    notify,
    title: 'Logon: {{key}} {{evil}}',
    message: '{{evil}} | {{long}} | {{emoji}} | {{rtl}} | {{broken}}',
    samples: 1,
  });
  return { T, project };
}

test('a failed send never leaks any channel\'s secret into errors, stdout, --json, the audit log or the state file', async () => {
  const smtp = await startSmtpSink({ user: 'alertcron', pass: 'right-password' });
  try {
    const { T, project } = await firing(ALL);
    const config = servers.config(world) as { channels: Record<string, Record<string, unknown>> };
    config.channels['soc-email'] = { ...config.channels['soc-email'], port: smtp.port, username: 'alertcron', password: '${SMTP_PASSWORD}' };
    project.writeConfig(config);
    world.slack.behaviour = 'server-error';
    servers.twilio.behaviour = 'server-error';
    servers.webhookAnswers.push({ status: 500 }, { status: 500 });
    const env = { ALERTCRON_NOW: iso(T), SMTP_PASSWORD: 'wrong-smtp-SECRET-5531', TELEGRAM_BOT_TOKEN: '999:WRONG-TELEGRAM-SECRET' };
    const result = await project.run(['run', '--json'], env);
    assert.equal(result.code, 4);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(report.deliveries.filter((d: { ok: boolean }) => !d.ok).map((d: { channel: string }) => d.channel).sort(), [...ALL].sort(), 'every channel failed');
    const secrets = [...Object.values(servers.secrets), env.SMTP_PASSWORD, env.TELEGRAM_BOT_TOKEN, 'XXXXXXXXSECRETTOKEN'];
    const outputs = { stdout: result.stdout, stderr: result.stderr, audit: JSON.stringify(project.audit()), state: JSON.stringify(project.state()) };
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret (${secret.slice(0, 6)}...)`);
    }
    assert.match(result.stderr, /-> soc-email: SMTP 127\.0\.0\.1:\d+: authentication failed: 535 Invalid username or password/);
    assert.match(result.stderr, /-> team-telegram: Telegram answered HTTP 401 Unauthorized/);
  } finally {
    await smtp.close();
  }
});

test('hostile log fields reach every channel inert and within its limits', async () => {
  const evil = '<!channel> <@U024BE7LH> <https://evil.example|click> <a href="https://evil.example">x</a> <b>bold</b> &amp; </Say><Dial>+15550000000</Dial><Say> \r\nBcc: evil@evil.example\r\nX-Injected: 1';
  const { T, project } = await firing(ALL, {
    evil,
    long: 'A'.repeat(10_000),
    emoji: '🔥🚨👩‍💻',
    rtl: 'invoice\u202Efdp.exe שלום مرحبا',
    broken: 'bad\ud800half',
  });
  project.writeConfig(servers.config(world));
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);

  const [slack] = world.slack.accepted() as { text: string; blocks: { text: { type: string; text: string } }[] }[];
  assert.doesNotMatch(slack!.text, /[<>]/);
  assert.ok(slack!.blocks.every((b) => b.text.type === 'plain_text' && b.text.text.length <= 3000));

  const [mail] = world.smtp.messages;
  const headers = mail!.raw.slice(0, mail!.raw.indexOf('\r\n\r\n'));
  assert.deepEqual(mail!.to, ['soc@test.local']);
  assert.doesNotMatch(headers, /^(Bcc|X-Injected):/im);

  const [telegram] = servers.telegram.sent;
  assert.ok(telegram, 'Telegram accepted the message: the HTML parsed');
  assert.ok(telegram.visible.length <= 4096);
  assert.deepEqual([...telegram.text.matchAll(/<\/?([a-z-]+)/g)].map((m) => m[1]), ['b', 'b'], 'the only markup is alertcron\'s own title');

  const [sms] = servers.twilio.messages;
  assert.ok(smsSize(sms!.Body!).segments <= 2, 'the SMS fits in the configured 2 segments');
  assert.doesNotMatch(sms!.Body!, /[\u202a-\u202e\r]|[\ud800-\udbff](?![\udc00-\udfff])/, 'no direction overrides, carriage returns or broken characters');

  const [call] = servers.twilio.calls;
  assert.deepEqual([...call!.Twiml!.matchAll(/<\/?([A-Za-z]+)/g)].map((m) => m[1]), ['Response', 'Say', 'Say', 'Response'], 'the TwiML has no element from the log');
  assert.match(call!.Twiml!, /&lt;\/Say&gt;&lt;Dial&gt;/);

  const [hook] = servers.webhook.requests;
  const payload = JSON.parse(hook!.body);
  assert.ok(payload.message.includes('</Say><Dial>'), 'JSON carries the text as data');
});
