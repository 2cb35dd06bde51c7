// A digest notice (one per period, with a summary table) reaches each channel in that channel's own form, the way a
// user meets it: a previous run queued it in the state, `alertcron run` delivers it. Email: the text part plus an HTML
// table; Slack (webhook and app): a table block; Telegram and SMS: a compact list within their limits; a call: a short
// spoken summary; a webhook: a `digest` object. Hostile values stay inert in every form.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DigestTable } from '../../src/model/digest.js';
import { smsSize } from '../../src/notify/sms/segments.js';
import { useChannelServers } from '../support/channelWorld.js';
import { mailParts } from '../support/mimeParts.js';
import type { Project } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';
import { startSlackApiServer, type SlackApiServer } from '../support/slackApiServer.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
/** A test's time: noon of a day far from other tests' (its digest's hour never spans two dates). */
const noon = () => Math.floor(uniqueBaseTime() / 86_400_000) * 86_400_000 + 12 * 60 * MIN;
const world = useWorld();
const servers = useChannelServers();
let slackApi: SlackApiServer;
before(async () => {
  slackApi = await startSlackApiServer();
  slackApi.channels.set('C0DIGEST', []);
});
after(async () => {
  await slackApi?.close();
});

const CHANNELS = ['soc-email', 'soc-slack', 'ops-slack', 'team-telegram', 'oncall-sms', 'oncall-call', 'hook'];
const EVIL = '<script>alert(1)</script> @channel <!here> <@U024BE7LH> <http://evil.example|x> *bold* _it_ [click](https://evil.example) </Say><Dial>+15550000000</Dial> evil@evil.example www.evil.example\r\nX-Injected: 1';

/** A project whose state holds a digest notice for each channel given, as the run that closed the period queued it. */
async function digestProject(T: number, digest: DigestTable, channels = CHANNELS, extra: Record<string, unknown> = {}): Promise<Project> {
  const index = await world.index('digest-channels');
  slackApi.channels.set('C0DIGEST', []);
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['ops-slack'] = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0DIGEST', api_url: slackApi.apiUrl, timeout: '3s' };
  project.writeConfig(config);
  Object.assign(project.env, servers.secrets, { SLACK_BOT_TOKEN: slackApi.token });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'user.name', notify: channels, title: 'Logons {{key}}' });
  const pending = channels.map((channel, i) => ({
    id: `p-digest-${i}`,
    alert: 'logons',
    key: '_digest',
    channel,
    reason: 'digest',
    title: 'Logons: digest',
    message: 'the table as aligned plain text',
    createdAt: T - MIN,
    attempts: 0,
    window: { from: digest.from, to: digest.to },
    digest,
    ...extra,
  }));
  mkdirSync(join(project.dir, 'state'));
  writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify({ version: 1, alerts: {}, pending, sent: [], silences: [], sources: {}, cursors: {}, conversations: [] }));
  return project;
}

/** A table with the given rows (cells for user.name and source.ip), in the hour before T. */
function table(T: number, rows: [string, string, number][], extra: Partial<DigestTable> = {}): DigestTable {
  return {
    from: T - 60 * MIN,
    to: T,
    columns: ['user.name', 'source.ip'],
    rows: rows.map(([user, ip, count], i) => ({ cells: [user, ip], count, first: T - 50 * MIN + i, last: T - 10 * MIN + i })),
    findings: rows.reduce((sum, [, , count]) => sum + count, 0),
    omitted: 0,
    ...extra,
  };
}

/** The one mail's HTML part. */
function htmlOf(raw: string): string {
  const html = mailParts(raw).find((p) => p.type === 'text/html');
  assert.ok(html, 'the mail has an HTML part');
  return html.body;
}

/** The text of every element of a Slack table block, row by row. */
function tableTexts(blocks: { type: string; rows?: { type: string; text: string }[][] }[]): string[][] {
  const table = blocks.find((b) => b.type === 'table');
  assert.ok(table, `a table block among ${blocks.map((b) => b.type).join(', ')}`);
  return table.rows!.map((row) => row.map((cell) => (assert.equal(cell.type, 'raw_text'), cell.text)));
}

test('a digest notice reaches each channel in its own form: an HTML table, Slack table blocks, compact lists, a spoken summary, JSON', async () => {
  const T = noon();
  const digest = table(T, [['alice', '10.0.0.5', 12], ['bob', '10.0.0.7', 3], ['carol', '', 1]], { omitted: 4, findings: 20 });
  const project = await digestProject(T, digest);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(project.state().pending, [], 'every channel accepted its digest');
  const period = `${iso(T - 60 * MIN).slice(0, 16).replace('T', ' ')} to ${iso(T).slice(11, 16)} UTC`;
  const caption = `20 findings, ${period}`;

  // Email: the text part is the message as today; the HTML part is a table with a header row and one row per line.
  const [mail] = world.smtp.messages;
  const parts = mailParts(mail!.raw);
  assert.deepEqual(parts.map((p) => p.type), ['text/plain', 'text/html']);
  assert.equal(parts[0]!.body.trim(), 'the table as aligned plain text');
  const html = htmlOf(mail!.raw);
  assert.equal((html.match(/<tr>/g) ?? []).length, 4, 'a header row and three rows');
  assert.match(html, /<thead><tr><th [^>]*>count<\/th><th [^>]*>user\.\u2060name<\/th><th [^>]*>source\.\u2060ip<\/th><\/tr><\/thead>/);
  assert.match(html, /<tr><td [^>]*>12<\/td><td [^>]*>alice<\/td><td [^>]*>10\.0\.0\.5<\/td><\/tr>/);
  assert.match(html, new RegExp(`<caption[^>]*>${caption}; 4 more findings not listed</caption>`));
  assert.doesNotMatch(html, /<(a|img|script|link|style)\b|href=|src=/i, 'no links, images, scripts or remote content');

  // Slack webhook: the caption in plain_text, then the table block; the fallback text is the title.
  const [hook] = world.slack.accepted() as { text: string; blocks: { type: string; text?: { type: string; text: string }; rows?: { type: string; text: string }[][] }[] }[];
  assert.equal(hook!.text, 'Logons: digest');
  assert.deepEqual(hook!.blocks[0]!.text, { type: 'plain_text', text: `Logons: digest\n${caption}\n4 more findings not listed`, emoji: false });
  assert.deepEqual(tableTexts(hook!.blocks), [['count', 'user.name', 'source.ip'], ['12', 'alice', '10.0.0.5'], ['3', 'bob', '10.0.0.7'], ['1', 'carol', '-']]);

  // Slack app: the same blocks in chat.postMessage, and the receipt that its inbox and threads rely on.
  const [posted] = slackApi.posted('C0DIGEST');
  assert.deepEqual(tableTexts(posted!.blocks as never), tableTexts(hook!.blocks));
  const sentApp = project.state().sent.find((s: { channel: string }) => s.channel === 'ops-slack');
  assert.deepEqual(sentApp.receipt, { id: posted!.ts, chat: 'C0DIGEST' });

  // Telegram: a bold title, the caption, one line per row, what is not listed.
  const [telegram] = servers.telegram.sent;
  assert.equal(telegram!.visible, `Logons: digest\n${caption}\ncount · user.\u2060name · source.\u2060ip\n12 · alice · 10.0.0.5\n3 · bob · 10.0.0.7\n1 · carol · -\n4 more findings not listed`);
  assert.deepEqual([...telegram!.text.matchAll(/<\/?([a-z-]+)/g)].map((m) => m[1]), ['b', 'b']);

  // SMS: title, caption, rows, in GSM-7.
  const [sms] = servers.twilio.messages;
  assert.equal(sms!.Body, `Logons: digest\n${caption}\n12 | alice | 10.0.0.5\n3 | bob | 10.0.0.7\n1 | carol | -\n4 more findings not listed`);
  assert.equal(smsSize(sms!.Body!).encoding, 'GSM-7');

  // Call: how many findings and the top three rows, spoken.
  const [call] = servers.twilio.calls;
  assert.match(call!.Twiml!, /<Say [^>]*>Alert\. Logons: digest\. 20 findings\. Most frequent: 12 times alice, 10\.0\.0\.5; 3 times bob, 10\.0\.0\.7; 1 time carol, empty\. 4 more findings not listed\.<\/Say>/);

  // Webhook: the JSON body gains the table, times as ISO strings.
  const payload = JSON.parse(servers.webhook.requests[0]!.body);
  assert.deepEqual(payload.digest, {
    from: iso(T - 60 * MIN),
    to: iso(T),
    columns: ['user.name', 'source.ip'],
    rows: digest.rows.map((r) => ({ cells: r.cells, count: r.count, first: iso(r.first), last: iso(r.last) })),
    findings: 20,
    omitted: 4,
  });
  assert.equal(payload.message, 'the table as aligned plain text');
});

test('hostile values in a digest stay inert in every channel: no markup, mention, link, header or TwiML', async () => {
  const T = noon();
  // A log value may hold a secret alertcron knows (here the webhook's bearer token): it is redacted like the title.
  const secret = servers.secrets.HOOK_TOKEN!;
  const digest = table(T, [[EVIL, 'x'.repeat(10_000), 5], ['🔥 invoice\u202Efdp.exe', 'bad\ud800half', 2], [`token=${secret}`, secret, 1]], { group: EVIL });
  const project = await digestProject(T, digest);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);

  const [mail] = world.smtp.messages;
  const headers = mail!.raw.slice(0, mail!.raw.indexOf('\r\n\r\n'));
  assert.doesNotMatch(headers, /^X-Injected:/im);
  const html = htmlOf(mail!.raw);
  assert.doesNotMatch(html, /<(a|img|script|link|style|dial|say)\b|href=|src=|<\/say/i);
  assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/\u2060script&#62;/, 'the script is shown as text');
  assert.doesNotMatch(html, /https?:\/\/|evil@evil|www\.evil/, 'no URL, address or bare domain a client could link');
  assert.doesNotMatch(html, /\u202e|\ud800(?![\udc00-\udfff])/, 'no direction override, no broken character');
  assert.ok(!html.includes('x'.repeat(501)), 'a 10,000-character value is cut');

  const [hook] = world.slack.accepted() as { text: string; blocks: { type: string; text?: { type: string; text: string }; rows?: { type: string; text: string }[][] }[] }[];
  assert.ok(hook, 'Slack accepted the blocks (the fake refuses what Slack would)');
  assert.deepEqual(hook.blocks.map((b) => b.type), ['section', 'table']);
  assert.equal(hook.blocks[0]!.text!.type, 'plain_text');
  for (const row of tableTexts(hook.blocks)) for (const cell of row) assert.ok(cell.length <= 200 && !/[\r\n\u202e]/.test(cell), cell.slice(0, 40));
  assert.doesNotMatch(hook.text, /[<>]/);
  assert.ok(slackApi.posted('C0DIGEST').length === 1, 'the Slack app accepted it too');

  const [telegram] = servers.telegram.sent;
  assert.ok(telegram, 'Telegram accepted the HTML');
  assert.deepEqual([...telegram.text.matchAll(/<\/?([a-z-]+)/g)].map((m) => m[1]), ['b', 'b'], 'the only markup is the title');
  assert.doesNotMatch(telegram.visible, /https?:\/\/|@channel|evil@evil|www\.evil/, 'links and mentions are broken by word joiners');

  const [sms] = servers.twilio.messages;
  assert.ok(smsSize(sms!.Body!).segments <= 2);
  assert.doesNotMatch(sms!.Body!, /[\r\u202e]|[\ud800-\udbff](?![\udc00-\udfff])/);

  const [call] = servers.twilio.calls;
  assert.deepEqual([...call!.Twiml!.matchAll(/<\/?([A-Za-z]+)/g)].map((m) => m[1]), ['Response', 'Say', 'Say', 'Response']);

  const payload = JSON.parse(servers.webhook.requests[0]!.body);
  assert.equal(payload.digest.rows[0].cells[0], EVIL, 'JSON carries the value as data');
  assert.equal(payload.digest.group, EVIL);
  assert.deepEqual(payload.digest.rows[2].cells, ['token=***', '***']);

  const sent = [mail!.raw, html, JSON.stringify(world.slack.requests), JSON.stringify(slackApi.posted('C0DIGEST')), JSON.stringify(servers.telegram.sent), JSON.stringify(servers.twilio.messages), JSON.stringify(servers.twilio.calls), servers.webhook.requests[0]!.body];
  for (const text of sent) assert.ok(!text.includes(secret), 'no channel shows the secret');
});

test('a digest larger than a channel allows is cut to its limits, with how many rows are not listed', async () => {
  const T = noon();
  const rows = Array.from({ length: 150 }, (_, i): [string, string, number] => [`user-${String(i).padStart(3, '0')}-${'w'.repeat(60)}`, `10.0.${Math.floor(i / 250)}.${i % 250}`, 150 - i]);
  const digest = table(T, rows, { omitted: 30, findings: 11_355 });
  const project = await digestProject(T, digest, ['soc-slack', 'ops-slack', 'team-telegram', 'oncall-sms']);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);

  const [hook] = world.slack.accepted() as { blocks: { type: string; text?: { text: string }; rows?: { type: string; text: string }[][] }[] }[];
  const shown = tableTexts(hook!.blocks as never).length - 1;
  assert.ok(shown >= 50 && shown <= 99, `${shown} rows within a table of 100 and 10,000 characters`);
  assert.match(hook!.blocks[0]!.text!.text, new RegExp(`\\n${150 - shown} more rows and 30 more findings not listed$`));
  assert.equal(slackApi.posted('C0DIGEST').length, 1);

  const [telegram] = servers.telegram.sent;
  assert.ok(telegram!.visible.length <= 4096 && telegram!.visible.length > 3800, `${telegram!.visible.length} visible characters`);
  const lines = telegram!.visible.split('\n');
  const listed = lines.filter((l) => / · user-/.test(l)).length;
  assert.equal(lines.at(-1), `${150 - listed} more rows and 30 more findings not listed`);

  const [sms] = servers.twilio.messages;
  assert.ok(smsSize(sms!.Body!).segments <= 2);
  const smsRows = sms!.Body!.split('\n').filter((l) => / \| user-/.test(l)).length;
  assert.ok(smsRows >= 1, sms!.Body);
  assert.match(sms!.Body!, new RegExp(`\\n${150 - smsRows} more rows and 30 more findings not listed$`));
});

test('a notice without a digest, or with a stored table of the wrong shape, is sent as before: plain text only', async () => {
  const T = noon();
  const project = await digestProject(T, table(T, [['alice', '10.0.0.5', 1]]), ['soc-email', 'soc-slack', 'hook'], { digest: { rows: 'not a table' } });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(mailParts(world.smtp.messages[0]!.raw).map((p) => p.type), ['text/plain']);
  const [hook] = world.slack.accepted() as { blocks: unknown[] }[];
  assert.deepEqual(hook!.blocks, [{ type: 'section', text: { type: 'plain_text', text: 'Logons: digest\nthe table as aligned plain text', emoji: false } }]);
  assert.equal(JSON.parse(servers.webhook.requests[0]!.body).digest, undefined);
});

test('generated digest values reach email, Slack and Telegram inert and accepted (CLI property)', async () => {
  const nasty = fc.constantFrom('<script>', '<!channel>', '@here', '<http://e.example|x>', '*b*', '[x](http://e.example)', '&amp;', '\r\n', '\u202e', '\u0000', 'a@b.example', 'https://e.example/x', '</td></tr>', 'y'.repeat(400));
  const value = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), nasty), { maxLength: 4 }).map((parts) => parts.join(''));
  const rows = fc.array(fc.tuple(value, value, fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 8 });
  await checkProperty('digest values inert through the CLI', fc.asyncProperty(rows, async (generated) => {
    world.smtp.messages.length = 0;
    world.slack.requests.length = 0;
    servers.telegram.sent.length = 0;
    const T = noon();
    const project = await digestProject(T, table(T, generated), ['soc-email', 'soc-slack', 'team-telegram']);
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, result.stderr);
    const html = htmlOf(world.smtp.messages[0]!.raw);
    assert.doesNotMatch(html, /<(a|img|script)\b|href=|src=|https?:\/\//i);
    assert.equal((html.match(/<tr>/g) ?? []).length, generated.length + 1, 'one row per digest row: no value closes a row or a cell');
    const [hook] = world.slack.accepted() as { blocks: { type: string; rows?: { type: string; text: string }[][] }[] }[];
    assert.equal(tableTexts(hook!.blocks).length, generated.length + 1);
    assert.deepEqual([...servers.telegram.sent[0]!.text.matchAll(/<\/?([a-z-]+)/g)].map((m) => m[1]), ['b', 'b']);
  }), 10);
});

test('a secret alertcron knows, found in the logs, is collected by `alertcron run` and sent in a digest: no channel, no pending item and no state file shows it', async () => {
  const T = noon();
  // The webhook's bearer token (registered from ${HOOK_TOKEN}) turns up as a user name; the digest is split per user.
  const secret = servers.secrets.HOOK_TOKEN!;
  const USER = 'winlog.event_data.TargetUserName';
  const index = await world.index('digest-secret');
  slackApi.channels.set('C0DIGEST', []);
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  config.channels['ops-slack'] = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0DIGEST', api_url: slackApi.apiUrl, timeout: '3s' };
  project.writeConfig(config);
  Object.assign(project.env, servers.secrets, { SLACK_BOT_TOKEN: slackApi.token, SLACK_WEBHOOK_URL: world.slack.url });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'host.name', notify: CHANNELS, title: 'Logons on {{key}}', digest: { every: '10m', per: USER, fields: [USER, 'host.name'] } });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, secret, { host: 'dc01' }), logonEvent(T - 20_000, `token=${secret}`, { host: 'dc02' })]);
  const collect = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(collect.code, 0, collect.stderr);
  assert.equal(world.smtp.messages.length, 0, 'collected, not sent');
  // The period ends; the webhook refuses this run, so its digest stays pending in the state.
  servers.webhookAnswers.push(...Array.from({ length: 4 }, () => ({ status: 500 })));
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 10 * MIN) });
  const stateFiles = () => readdirSync(join(project.dir, 'state'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
  const pending = project.state().pending as { channel: string; key: string; title: string; message: string }[];
  assert.deepEqual(pending.map((p) => p.channel), ['hook', 'hook'], 'the webhook\'s two digests wait for the next run');
  assert.deepEqual(pending.map((p) => p.key).sort(), ['_digest:***', '_digest:token=***']);
  for (const text of stateFiles()) assert.ok(!text.includes(secret), 'no state file (state, keys, audit) holds the secret while a digest is pending');
  const retry = await project.run(['run'], { ALERTCRON_NOW: iso(T + 11 * MIN) });
  assert.equal(retry.code, 0, retry.stderr);
  assert.deepEqual(project.state().pending, []);

  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['logons (***): 1 finding in the last 10 minutes (1 key)', 'logons (token=***): 1 finding in the last 10 minutes (1 key)']);
  assert.equal(JSON.parse(servers.webhook.requests.at(-1)!.body).digest.rows[0].cells[0].endsWith('***'), true, 'the table the webhook got is redacted too');
  const sent = [...world.smtp.messages.map((m) => m.raw), JSON.stringify(world.slack.requests), JSON.stringify(slackApi.posted('C0DIGEST')), JSON.stringify(servers.telegram.sent), JSON.stringify(servers.twilio.messages), JSON.stringify(servers.twilio.calls), ...servers.webhook.requests.map((r) => r.body)];
  for (const text of sent) assert.ok(!text.includes(secret), `no channel shows the secret: ${text.slice(0, 300)}`);
  for (const text of stateFiles()) assert.ok(!text.includes(secret), 'no state file holds the secret');
});

test('a Slack webhook or workspace that refuses table blocks (invalid_blocks) gets the digest again at once, its table as aligned text within Slack\'s limits', async () => {
  world.slack.refuseTables = true;
  slackApi.refuseTables = true;
  try {
    const T = noon();
    const project = await digestProject(T, table(T, [['alice', '10.0.0.5', 12], ['bob', '10.0.0.7', 3], ['carol', '', 1]], { omitted: 4, findings: 20 }), ['soc-slack', 'ops-slack']);
    const callsBefore = slackApi.calls.length;
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(project.state().pending, [], 'both channels accepted the digest');
    assert.deepEqual(world.slack.requests.map((r) => r.status), [400, 200], 'refused with the table, accepted without, in the same run');
    const caption = `20 findings, ${iso(T - 60 * MIN).slice(0, 16).replace('T', ' ')} to ${iso(T).slice(11, 16)} UTC`;
    const text = `Logons: digest\n${caption}\ncount  user.name  source.ip\n   12  alice      10.0.0.5\n    3  bob        10.0.0.7\n    1  carol      -\n4 more findings not listed`;
    const [hook] = world.slack.accepted() as { text: string; blocks: unknown[] }[];
    assert.deepEqual(hook!.blocks, [{ type: 'section', text: { type: 'plain_text', text, emoji: false } }]);
    assert.equal(hook!.text, 'Logons: digest');
    assert.equal(slackApi.calls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage').length, 2, 'refused once, posted once');
    const [posted] = slackApi.posted('C0DIGEST');
    assert.deepEqual(posted!.blocks, hook!.blocks);
    assert.deepEqual(project.state().sent.find((s: { channel: string }) => s.channel === 'ops-slack').receipt, { id: posted!.ts, chat: 'C0DIGEST' });

    // 150 long rows: as many as fit the section's 3,000 characters, the rest counted.
    world.slack.requests.length = 0;
    const rows = Array.from({ length: 150 }, (_, i): [string, string, number] => [`user-${String(i).padStart(3, '0')}-${'w'.repeat(60)}`, `10.0.0.${i}`, 150 - i]);
    const big = await digestProject(T, table(T, rows), ['soc-slack', 'ops-slack']);
    assert.equal((await big.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
    assert.deepEqual(big.state().pending, []);
    const [bigHook] = world.slack.accepted() as { blocks: { text: { text: string } }[] }[];
    const section = bigHook!.blocks[0]!.text.text;
    const listed = section.split('\n').filter((l) => / user-\d{3}-w+… +10\.0\.0\.\d+$/.test(l)).length;
    assert.ok(section.length <= 3000 && listed >= 20, `${listed} rows in ${section.length} characters`);
    assert.match(section, new RegExp(`\\n${150 - listed} more rows not listed$`));
    assert.deepEqual(slackApi.posted('C0DIGEST')[0]!.blocks, bigHook!.blocks);
  } finally {
    world.slack.refuseTables = false;
    slackApi.refuseTables = false;
  }
});
