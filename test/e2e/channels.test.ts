import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { signBody } from '../../src/notify/webhook.js';
import { useChannelServers } from '../support/channelWorld.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();

/** A project with every channel configured and one alert that fires on `root`, sent to `notify`. */
async function project(notify: string[], mutate: (config: any) => void = () => undefined) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-channels');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root', { host: 'dc07', ip: '10.9.8.7' })]);
  const p = world.project();
  const config = servers.config(world);
  mutate(config);
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', {
    index,
    condition: { type: 'any' },
    group_by: 'winlog.event_data.TargetUserName',
    notify,
    title: 'Admin logon: {{key}}',
    message: '{{count}} logon(s) to {{key}} on {{host.name}} from {{source.ip}}',
    samples: 0,
  });
  return { T, p };
}

test('SMS, call, Telegram and webhook each carry the alert\'s content, in their own format', async () => {
  const { T, p } = await project(['oncall-sms', 'oncall-call', 'team-telegram', 'hook']);
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);

  assert.deepEqual(servers.twilio.messages.map((m) => [m.To, m.From, m.Body]), [['+15551230001', '+15005550006', 'Admin logon: root\n1 logon(s) to root on dc07 from 10.9.8.7']]);
  const [call] = servers.twilio.calls;
  assert.equal(call?.To, '+15551230001');
  assert.equal(call?.Twiml, '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice" language="ru-RU" loop="2">Alert. Admin logon: root. 1 logon(s) to root on dc07 from 10.9.8.7</Say></Response>');

  const [message] = servers.telegram.sent;
  assert.equal(message?.chat_id, -1001234567);
  assert.equal(message?.text, '<b>Admin logon: root</b>\n1 logon(s) to root on dc07 from 10.9.8.7');
  assert.deepEqual(message?.body.link_preview_options, { is_disabled: true });

  const [hook] = servers.webhook.requests;
  assert.equal(hook?.path, '/alerts');
  assert.equal(hook?.headers.authorization, `Bearer ${servers.secrets.HOOK_TOKEN}`);
  assert.equal(hook?.headers['x-alertcron-signature'], signBody(hook!.body, servers.secrets.HOOK_SECRET!));
  const payload = JSON.parse(hook!.body);
  assert.deepEqual([payload.alert, payload.key, payload.reason, payload.title], ['admins', 'root', 'first', 'Admin logon: root']);
});

test('Twilio: a bad number (21211) and bad credentials (401) are permanent; a refused connection stays pending', async () => {
  const bad = await project(['oncall-sms'], (c) => (c.channels['oncall-sms'].to = ['+15005550001']));
  const invalid = await bad.p.run(['run'], { ALERTCRON_NOW: iso(bad.T) });
  assert.equal(invalid.code, 4);
  assert.match(invalid.stderr, /-> oncall-sms: Twilio answered HTTP 400 \(code 21211\): The 'To' number \+15005550001 is not a valid phone number\. \(not retried\)/);
  assert.deepEqual(bad.p.state().pending, []);

  const wrong = await project(['oncall-call']);
  const unauthorized = await wrong.p.run(['run'], { ALERTCRON_NOW: iso(wrong.T), TWILIO_AUTH_TOKEN: 'not-the-token' });
  assert.equal(unauthorized.code, 4);
  assert.match(unauthorized.stderr, /-> oncall-call: Twilio answered HTTP 401 \(code 20003\): Authenticate \(not retried\)/);

  const down = await project(['oncall-sms'], (c) => (c.channels['oncall-sms'].api_url = 'http://127.0.0.1:9'));
  const refused = await down.p.run(['run'], { ALERTCRON_NOW: iso(down.T) });
  assert.equal(refused.code, 4);
  assert.match(refused.stderr, /-> oncall-sms: could not reach Twilio \(ECONNREFUSED\) \(will retry next run\)/);
  assert.equal(down.p.state().pending.length, 1);
});

test('Twilio 429 and Telegram 429 with retry_after are retried within the run and delivered', async () => {
  const { T, p } = await project(['oncall-sms', 'team-telegram']);
  servers.twilio.behaviour = 'rate-limited';
  servers.telegram.behaviour = 'rate-limited';
  servers.twilio.nextRequest().then(() => (servers.twilio.behaviour = 'ok'));
  servers.telegram.nextRequest().then(() => (servers.telegram.behaviour = 'ok'));
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(servers.twilio.messages.length, 1);
  assert.equal(servers.telegram.sent.length, 1);
  assert.equal(servers.telegram.requests.length, 2, 'one 429, then the retry after retry_after');
});

test('Telegram: a bot blocked by the user (403) is permanent; webhook 503 with Retry-After is retried', async () => {
  const { T, p } = await project(['team-telegram', 'hook']);
  servers.telegram.behaviour = 'blocked';
  servers.webhookAnswers.push({ status: 503, body: 'busy', headers: { 'retry-after': '1' } });
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4);
  assert.match(result.stderr, /-> team-telegram: Telegram answered HTTP 403 Forbidden: bot was blocked by the user \(not retried\)/);
  assert.deepEqual(servers.webhook.requests.map((r) => r.path), ['/alerts', '/alerts'], 'the webhook was retried after its Retry-After');
  assert.deepEqual(p.state().pending, []);
});

test('a delivery that keeps failing is dropped after max_pending_age, with an audit record', async () => {
  const { T, p } = await project(['hook']);
  servers.webhookAnswers.push({ status: 500 }, { status: 500 });
  const failed = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(failed.code, 4);
  assert.equal(p.state().pending.length, 1);
  servers.webhook.requests.length = 0;
  const later = await p.run(['run'], { ALERTCRON_NOW: iso(T + 25 * 60 * MIN) });
  assert.equal(later.code, 4);
  assert.match(later.stderr, /-> hook: dropped after 1500 minutes of failed attempts \(max_pending_age\); last error: the webhook answered HTTP 500 \(not retried\)/);
  assert.equal(servers.webhook.requests.length, 0, 'not sent again');
  assert.deepEqual(p.state().pending, []);
  assert.ok(p.audit().some((e) => e.event === 'delivery_expired' && e.channel === 'hook'));
});

test('the twilio SDK is loaded only by runs that send on a Twilio channel', async () => {
  const { T, p } = await project(['hook']);
  const probe = join(p.dir, 'probe.cjs');
  writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(join(p.dir, 'modules.txt'))}, Object.keys(require.cache).join('\\n')));\n`);
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T), NODE_OPTIONS: `--require ${probe}` });
  assert.equal(result.code, 0, result.stderr);
  const { readFileSync } = await import('node:fs');
  const modules = readFileSync(join(p.dir, 'modules.txt'), 'utf8');
  assert.doesNotMatch(modules, /node_modules\/twilio\//);
  assert.doesNotMatch(modules, /node_modules\/nodemailer\//);
  assert.equal(servers.webhook.requests.length, 1);
});

test('each accepted notice is kept with its receipt: the Telegram message and chat, the Twilio SIDs, the Message-ID', async () => {
  const { T, p } = await project(['team-telegram', 'oncall-sms', 'soc-email']);
  const result = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const sent = p.state().sent as { alert: string; key: string; channel: string; reason: string; receipt: { id?: string; chat?: string } }[];
  const byChannel = Object.fromEntries(sent.map((s) => [s.channel, s]));
  assert.deepEqual(Object.keys(byChannel).sort(), ['oncall-sms', 'soc-email', 'team-telegram']);
  for (const s of sent) assert.deepEqual([s.alert, s.key, s.reason], ['admins', 'root', 'first']);
  const telegram = servers.telegram.sent.at(-1) as { chat_id: unknown };
  assert.equal(byChannel['team-telegram']!.receipt.chat, String(telegram.chat_id));
  assert.equal(byChannel['team-telegram']!.receipt.id, String(servers.telegram.inChat(Number(telegram.chat_id)).at(-1)!.message_id), 'the message_id Telegram answered');
  assert.match(byChannel['oncall-sms']!.receipt.id ?? '', /^SM\d+$/, 'the SID Twilio answered');
  assert.match(byChannel['soc-email']!.receipt.id ?? '', /^<.+@.+>$/, 'the Message-ID the mail went out with');
  assert.ok(p.audit().some((e) => e.event === 'delivered' && e.channel === 'team-telegram' && e.receipt === byChannel['team-telegram']!.receipt.id));
});
