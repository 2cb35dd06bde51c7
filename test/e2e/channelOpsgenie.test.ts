// Issue 26 points 1 and 2 for Opsgenie: a `type: opsgenie` channel creates an alert per notice whose alias is one per
// alert and key (incidentId), so a repeat raises the open alert's count instead of opening another, and the key's
// resolve (resolve_after) closes it by alias; a digest is a P5 alert with its own alias. Driven through the CLI against
// OpenSearch and a local server that follows Opsgenie's published Alert API (GenieKey, 202, 401, 422, 429, 5xx).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentId } from '../../src/notify/incidentId.js';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { useOpsgenieServer } from '../support/opsgenieServer.js';
import { channelProject, everything, runOk } from '../support/channelRuns.js';
import { checkProperty, fc } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const fake = useOpsgenieServer();

/** A project whose logon alert notifies an Opsgenie channel `genie` at the fake (API key from the environment). */
async function genieProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const made = await channelProject(world, 'genie', { type: 'opsgenie', api_key: '${OPSGENIE_API_KEY}', api_url: fake.server.base, timeout: '3s', ...channel }, alert);
  made.project.env.OPSGENIE_API_KEY = fake.server.apiKey;
  return made;
}

const creates = () => fake.server.requests.filter((r) => r.path === '/v2/alerts');
const closes = () => fake.server.requests.filter((r) => r.path.includes('/close'));

test('create, repeat, close: one Opsgenie alert per alert and key (its alias), a repeat raises its count, the key\'s resolve closes it by alias', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await genieProject({
    priority: 'P2',
    teams: ['SOC'],
    users: ['alice@example.org'],
    escalations: ['soc-escalation'],
    schedules: ['soc-oncall'],
    tags: ['alertcron', 'user:{{winlog.event_data.TargetUserName}}'],
    entity: '{{host.name}}',
    source: 'alertcron on {{host.name}}',
    details: { user: '{{winlog.event_data.TargetUserName}}', ip: '{{source.ip}}' },
  });
  const alias = incidentId('logons', 'root');
  await logon(T - 30_000, 'root');
  await runOk(project, T);
  assert.equal(creates()[0]!.headers.authorization, `GenieKey ${fake.server.apiKey}`);
  assert.equal(fake.server.alerts.length, 1);
  const [alert] = fake.server.alerts;
  assert.deepEqual(alert!.body, {
    message: 'Logon root on dc01',
    alias,
    description: '1 logons to root from 10.0.0.5',
    responders: [{ type: 'team', name: 'SOC' }, { type: 'user', username: 'alice@example.org' }, { type: 'escalation', name: 'soc-escalation' }, { type: 'schedule', name: 'soc-oncall' }],
    tags: ['alertcron', 'user:root'],
    details: { user: 'root', ip: '10.0.0.5' },
    entity: 'dc01',
    source: 'alertcron on dc01',
    priority: 'P2',
  });
  const receipt = project.state().sent.find((s: { channel: string }) => s.channel === 'genie').receipt;
  assert.equal(receipt.id, alias, 'the receipt keeps the alias');
  assert.match(receipt.detail.requestId, /^[0-9a-f-]{36}$/, 'and Opsgenie\'s request id');

  await logon(T + MIN - 30_000, 'root');
  await runOk(project, T + MIN);
  assert.equal(fake.server.alerts.length, 1, 'a repeat opens nothing new');
  assert.equal(alert!.count, 2);

  await runOk(project, T + 2 * MIN);
  assert.deepEqual(closes().map((r) => r.path), [`/v2/alerts/${alias}/close?identifierType=alias`]);
  assert.equal(alert!.status, 'closed');
  assert.deepEqual(alert!.closedWith, { source: 'alertcron', note: 'Resolved: Logon root on dc01' });
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered' && e.channel === 'genie').map((e) => e.reason), ['first', 'repeat', 'resolved']);
  assert.deepEqual(project.state().pending, []);

  // The key fires again: a new alert under the same alias (the old one is closed).
  await logon(T + 3 * MIN - 30_000, 'root');
  await runOk(project, T + 3 * MIN);
  assert.deepEqual(fake.server.alerts.map((a) => [a.alias, a.status]), [[alias, 'closed'], [alias, 'open']]);
});

test('defaults: message {{title}}, description {{message}}, P3, source alertcron, the finding\'s fields as details; a digest is P5 with its own alias', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await genieProject();
  await logon(T - 30_000, 'root');
  await runOk(project, T);
  const body = fake.server.alerts[0]!.body;
  assert.deepEqual([body.message, body.description, body.priority, body.source, body.responders, body.tags, body.entity], ['Logon root on dc01', '1 logons to root from 10.0.0.5', 'P3', 'alertcron', [], [], undefined]);
  assert.deepEqual(body.details, { '@timestamp': iso(T - 30_000), 'event.code': '4624', 'host.name': 'dc01', 'source.ip': '10.0.0.5', 'winlog.event_data.TargetUserName': 'root' });

  const digest = await genieProject({}, { digest: { every: '1h' } });
  fake.server.alerts.length = 0;
  await digest.logon(T - 30_000, 'root');
  await digest.logon(T - 20_000, 'alice');
  await runOk(digest.project, T);
  assert.equal(fake.server.alerts.length, 0, 'collected for the digest');
  await runOk(digest.project, T + 61 * MIN);
  assert.equal(fake.server.alerts.length, 1);
  const sent = fake.server.alerts[0]!;
  assert.equal(sent.body.priority, 'P5');
  assert.match(String(sent.body.message), /^logons: 2 findings in the last/);
  assert.match(String(sent.body.description), /count\s+winlog\.event_data\.TargetUserName/);
  assert.ok(![incidentId('logons', 'root'), incidentId('logons', 'alice'), incidentId('logons', '_digest')].includes(sent.alias), 'its own alias');
});

test('hostile log values are inert: angle brackets as look-alikes in the message, HTML escaped in the description, each cut to Opsgenie\'s limits between characters, tags and entity one clean line', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await genieProject({ tags: ['{{markdown}}', '{{evil}}', '{{wiki}}'], entity: '{{evil}}', details: { evil: '{{evil}}', emoji: '{{emoji}}', rtl: '{{rtl}}', broken: '{{broken}}' } }, { title: '{{evil}} {{rtl}}', message: HOSTILE_MESSAGE });
  await logon(T - 30_000, 'root', HOSTILE_FIELDS);
  const result = await runOk(project, T);
  assert.equal(fake.server.alerts.length, 1, result.stderr);
  const body = fake.server.alerts[0]!.body as Record<string, any>;
  const message = body.message as string;
  const description = body.description as string;
  assert.ok(message.length <= 130, 'the message fits Opsgenie\'s 130 characters');
  assert.ok(description.length <= 15_000, 'the description fits 15,000 characters');
  assert.ok(!/[<>]/.test(message), 'no angle bracket of a value reaches the message: it opens no tag');
  assert.ok(!/&#\d+;/.test(message), 'the message, read by SMS and voice too, holds no character reference');
  assert.ok(!/[<>"']/.test(description), 'no markup character of a value reaches the description');
  assert.ok(!/&(?!#\d+;)/.test(description.replace(/…$/, '')), 'every & of the description starts a whole character reference (no cut inside one)');
  for (const text of [message, description]) {
    assert.ok(!/[\u202e\u0000-\u0009\u000b-\u001f]/.test(text), 'no control or direction characters');
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text), 'no lone surrogate');
  }
  assert.ok(message.startsWith('\u2039!channel\u203a \u2039@U024BE7LH\u203a'), message);
  assert.ok(description.includes('&#60;/Say&#62;&#60;Dial&#62;+15550000000&#60;/Dial&#62;'), 'TwiML and HTML are text');
  assert.ok(description.includes('\nBcc: evil@evil.example\nX-Injected: 1'), 'the description keeps its lines');
  assert.ok(!message.includes('\n'), 'the message is one line');
  assert.equal(body.tags.length, 3);
  for (const tag of body.tags as string[]) assert.ok(tag.length <= 50 && !/[\r\n]/.test(tag), `a tag is one line of 50 characters at most: ${tag}`);
  assert.ok(body.entity.length <= 512 && !/[\r\n]/.test(body.entity));
  assert.deepEqual([body.details.emoji, body.details.rtl, body.details.broken], ['🔥🚨👩💻', 'invoicefdp.exe שלום مرحبا', 'bad\ufffdhalf']);
  assert.equal(body.details.evil, HOSTILE_FIELDS.evil.replace(/\r\n/g, '\n'), 'details are text, cleaned');
});

test('property: whatever a log value holds, the alert Opsgenie receives shows it as text (look-alike angles in the message, HTML-escaped description, within 130 and 15,000 characters)', async () => {
  const T = uniqueBaseTime();
  const { project, index } = await genieProject({ description: 'User <b>{{user}}</b>: {{message}}' }, { title: 'Logon {{user}}', message: 'from {{user}}' });
  let round = 0;
  const value = fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '#', ';', '/', 'a', 'b', ' ', '\n', '\u202e', '🔥', '@'), minLength: 1, maxLength: 400 });
  await checkProperty(
    'opsgenie alert from hostile values',
    fc.asyncProperty(fc.noShrink(value), async (user) => {
      round++;
      fake.server.alerts.length = 0;
      const at = T + round * 10 * MIN;
      await indexDocs(world.esUrl, index, [{ ...logonEvent(at - 30_000, `u${round}`), user }]);
      await runOk(project, at);
      const body = fake.server.alerts[0]!.body as { message: string; description: string };
      assert.ok(body.message.length <= 130 && body.description.length <= 15_000);
      const shown = (html: string) => html.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
      const html = body.description.replace(/^User <b>/, '').replace('</b>: from ', ' ');
      assert.ok(!/[<>"']/.test(html), JSON.stringify(html));
      assert.ok(!/&(?!#\d+;)/.test(html.replace(/…$/, '')));
      assert.ok(!/[<>]/.test(body.message) && !/&#\d+;/.test(body.message), JSON.stringify(body.message));
      const plain = `Logon ${user.replace(/\u202e/g, '').replace(/</g, '\u2039').replace(/>/g, '\u203a')}`.replace(/\s+/g, ' ').trim();
      assert.ok(body.message === plain || (body.message.endsWith('…') && plain.startsWith(body.message.slice(0, -1))), `the message reads as the value: ${JSON.stringify(body.message)}`);
      assert.ok(body.description.startsWith('User <b>'), 'the template\'s own HTML is kept');
      assert.ok(shown(body.description).includes(user.replace(/\u202e/g, '')), 'the value reads as itself once rendered');
    }),
    10,
  );
});

test('errors: a wrong key is Opsgenie\'s 401 (422 for a malformed one), final and redacted even when echoed; 5xx retried; 429 waits for the rate limit\'s period', async () => {
  const T = uniqueBaseTime();
  const wrongKey = 'ffffffff-0000-4000-8000-SECRETwrong1';
  const wrong = await genieProject();
  wrong.project.env.OPSGENIE_API_KEY = wrongKey;
  fake.server.echoKey = true;
  await wrong.logon(T - 30_000, 'root');
  const refused = await wrong.project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(refused.code, 0);
  assert.equal(creates().length, 1, 'a 401 is not retried');
  assert.equal(creates()[0]!.headers.authorization, `GenieKey ${wrongKey}`, 'the fake got the key (and echoed it)');
  assert.match(refused.stderr, /Opsgenie at http:\/\/127\.0\.0\.1:\d+ answered HTTP 401 Could not authenticate with (GenieKey )?\*\*\* \(check the channel's api_key: the API key of an API integration in Opsgenie, and its region: us or eu\)/);
  assert.ok(!everything(wrong.project, refused).includes(wrongKey), 'the key appears nowhere: stdout, --json, stderr, state, audit');
  assert.ok(!everything(wrong.project, refused).includes(wrongKey.slice(-12)), 'not even a part of it');
  assert.deepEqual(wrong.project.state().pending, []);

  fake.server.echoKey = false;
  fake.server.requests.length = 0;
  const malformed = await genieProject();
  malformed.project.env.OPSGENIE_API_KEY = 'SECRET-not-a-genie-key';
  await malformed.logon(T - 30_000, 'root');
  const format = await malformed.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(creates().length, 1, 'a 422 is not retried');
  assert.match(format.stderr, /answered HTTP 422 Key format is not valid! \(check the channel's api_key/);
  assert.deepEqual(malformed.project.state().pending, []);

  fake.server.requests.length = 0;
  fake.server.failures = 1;
  const flaky = await genieProject();
  await flaky.logon(T - 30_000, 'root');
  await runOk(flaky.project, T);
  assert.equal(creates().length, 2, 'the 500 was retried within the run');
  assert.equal(fake.server.alerts.length, 1);

  fake.server.requests.length = 0;
  fake.server.alerts.length = 0;
  fake.server.busy = 1;
  const busy = await genieProject();
  await busy.logon(T - 30_000, 'root');
  const started = Date.now();
  await runOk(busy.project, T);
  assert.ok(Date.now() - started >= 1000, 'the retry waited for X-RateLimit-Period-In-Sec: 1');
  assert.equal(fake.server.alerts.length, 1);

  fake.server.requests.length = 0;
  fake.server.alerts.length = 0;
  fake.server.busy = 1;
  fake.server.ratePeriod = '60';
  // No resolve_after here: the key is quiet in the next run, and a resolved key's pending first notice is not sent.
  const throttled = await genieProject({}, { resolve_after: undefined });
  await throttled.logon(T - 30_000, 'root');
  const later = await throttled.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(later.code, 0);
  assert.match(later.stderr, /answered HTTP 429 You are making too many requests!/);
  assert.equal(creates().length, 1, 'a minute\'s wait is not spent within the run');
  assert.equal(throttled.project.state().pending.length, 1, 'kept for a later run');
  await runOk(throttled.project, T + 61_000);
  assert.equal(fake.server.alerts.length, 1, 'a run after the period delivers it');
});

test('a message template that renders empty falls back to the alert\'s name: Opsgenie never gets an empty message (its 422)', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await genieProject({ message: '{{missing.field}}' }, { title: '{{missing.field}}' });
  await logon(T - 30_000, 'root');
  await runOk(project, T);
  assert.equal(fake.server.alerts[0]!.body.message, 'logons');
});

test('channel test genie creates a P5 alert and prints its alias; region eu is https://api.eu.opsgenie.com; validate names a bad setting at its line', async () => {
  const { project } = await genieProject();
  const result = await project.run(['channel', 'test', 'genie']);
  assert.equal(result.code, 0, result.stderr);
  const [alert] = fake.server.alerts;
  assert.equal(alert!.body.priority, 'P5');
  assert.match(result.stdout, new RegExp(`^channel genie \\(opsgenie\\) -> Opsgenie at http://127\\.0\\.0\\.1:\\d+: test notice sent\\n  accepted: alias ${alert!.alias}\\n`));

  const regions = world.project({ extraConfig: { channels: { eu: { type: 'opsgenie', api_key: '${K}', region: 'eu', teams: ['SOC'] }, us: { type: 'opsgenie', api_key: '${K}' } } } });
  const listed = await regions.run(['channel', 'list'], { K: 'k'.repeat(36) });
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /eu\s+opsgenie\s+.*Opsgenie at https:\/\/api\.eu\.opsgenie\.com \(team SOC\)/);
  assert.match(listed.stdout, /us\s+opsgenie\s+.*Opsgenie at https:\/\/api\.opsgenie\.com/);

  const bad = world.project({ extraConfig: { channels: { g1: { type: 'opsgenie' }, g2: { type: 'opsgenie', api_key: 'eb243592-faa2-4ba2-a551-inline000001' }, g3: { type: 'opsgenie', api_key: '${K}', priority: 'P0', region: 'asia' } } } });
  const checked = await bad.run(['validate'], { K: 'k'.repeat(36) });
  assert.equal(checked.code, 2);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/g1: needs at least one of api_key, api_key_file$/m);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/g2\/api_key: secrets must not be written inline: use api_key: \$\{SOME_ENV_VAR\} or api_key_file: \/path\/to\/file$/m);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/g3\/priority: must be one of "P1", "P2", "P3", "P4", "P5"$/m);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/g3\/region: must be one of "us", "eu"$/m);
});
