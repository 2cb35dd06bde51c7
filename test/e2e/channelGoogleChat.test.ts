// Issue 26 points 1 and 2 for Google Chat: a `type: google-chat` channel posts to a space's incoming webhook (a text
// message in Google Chat's own formatting, or a cardsV2 card), threads by thread_key, keeps to the space's one
// message a second, and keeps hostile log values inert; the webhook's key and token are redacted everywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatFormatting, CHAT_TEXT_CHARS, useGoogleChatServer } from '../support/googleChatServer.js';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const chat = useGoogleChatServer();

/** A project whose logon alert notifies a google-chat channel (its URL from GOOGLE_CHAT_WEBHOOK_URL). */
async function chatProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const index = await world.index('gchat-channel');
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) as { channels: Record<string, unknown> };
  project.writeConfig({ ...base, channels: { ...base.channels, 'soc-gchat': { type: 'google-chat', webhook_url: '${GOOGLE_CHAT_WEBHOOK_URL}', timeout: '3s', ...channel } } });
  project.env.GOOGLE_CHAT_WEBHOOK_URL = chat.url;
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', samples: 0, notify: ['soc-gchat'], title: 'Logon {{key}} on {{host.name}}', message: '{{count}} logons to {{key}} from {{source.ip}}', ...alert });
  return { index, project };
}

const secrets = () => [chat.token, decodeURIComponent(chat.token), chat.key];
/** Everything a run leaves for people and files: its output, the state and the audit log. */
const everything = (project: Project, ...outputs: { stdout: string; stderr: string }[]) => JSON.stringify([outputs, project.state(), project.audit()]);
const sentReceipts = (project: Project) => (project.state().sent ?? []).filter((s: { channel: string }) => s.channel === 'soc-gchat').map((s: { receipt?: unknown }) => s.receipt);

test('text messages: the title in bold and the message; with thread_key the first notice, its repeat and its resolve share one thread; the receipt keeps the message name', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await chatProject({ thread_key: '{{alert}} {{key}}' }, { resolve_after: 1 });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root', { ip: '203.0.113.7' })]);
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(chat.messages.length, 1);
  const text = chat.messages[0]!.text!;
  assert.equal(text.replace(/\u2060/g, ''), '*Logon root on dc01*\n1 logons to root from 203.0.113.7');
  assert.deepEqual(chatFormatting(text), ['bold: *Logon root on dc01*'], 'only alertcron\'s own bold title is formatting');
  assert.match(chat.messages[0]!.threadKey!, /^alertcron-[0-9a-f]{40}$/, 'the thread key is a hash: no log text in an identifier');
  assert.match(chat.recorder.requests[0]!.path, /messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD/);
  assert.deepEqual(sentReceipts(project), [{ id: chat.messages[0]!.name, thread: chat.messages[0]!.thread }]);

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'root'), logonEvent(T + 30_000, 'admin')]);
  const repeat = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(repeat.code, 0, repeat.stderr);
  const resolve = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(resolve.code, 0, resolve.stderr);
  const titles = chat.messages.map((m) => m.text!.split('\n')[0]);
  assert.deepEqual(titles.slice().sort(), ['*Logon admin on dc01*', '*Logon root on dc01*', '*Logon root on dc01*', '*Resolved: Logon admin on dc01*', '*Resolved: Logon root on dc01*'].sort());
  const threadOf = (title: string) => new Set(chat.messages.filter((m) => m.text!.includes(title)).map((m) => m.thread));
  assert.equal(threadOf('root on dc01').size, 1, 'root\'s notices share one thread');
  assert.equal(threadOf('admin on dc01').size, 1);
  assert.notDeepEqual([...threadOf('root on dc01')], [...threadOf('admin on dc01')], 'another key, another thread');
});

test('several notices in one run are sent one second apart: the space\'s quota (one message a second) never refuses one', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await chatProject();
  await indexDocs(world.esUrl, index, ['alice', 'bob', 'carol'].map((user) => logonEvent(T - 30_000, user)));
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(chat.throttled, 0, 'no 429 RESOURCE_EXHAUSTED');
  assert.equal(chat.messages.length, 3);
  assert.equal(chat.recorder.requests.length, 3, 'one request each');
});

/** Bare domains whose label ends in a digit, which clients link as readily as evil.example. */
const DIGIT_DOMAINS = { domains: 'paypa1.com/x evil1.com login-office365.com/reset' };

test('hostile log values stay inert: no mention, link, bold, code, quote or linked URL in text messages; escaped HTML in cards; cut to 4,096 characters', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await chatProject({}, { message: `{{domains}} | ${HOSTILE_MESSAGE}`, title: 'Logon {{key}}: {{markdown}}' });
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - 30_000, 'root'), ...HOSTILE_FIELDS, ...DIGIT_DOMAINS }]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const text = chat.messages[0]!.text!;
  assert.ok(text.length <= CHAT_TEXT_CHARS);
  const found = chatFormatting(text);
  assert.equal(found.length, 1, `only the title's bold: ${found.join(' | ')}`);
  assert.ok(found[0]!.startsWith('bold: *Logon root: '));
  assert.ok(!/[\u202e\u0000-\u0009\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])/.test(text), 'no control, direction or broken characters');
  const read = text.replace(/\u2060/g, '');
  for (const typed of ['users/all', 'https://evil.example', '@everyone', 'bold', 'paypa1.com/x evil1.com']) assert.ok(read.includes(typed), `still there to read: ${typed}`);
  assert.ok(!everything(project, result).includes(decodeURIComponent(chat.token)));

  const card = await chatProject({ format: 'card' }, { message: `{{domains}} | ${HOSTILE_MESSAGE}`, title: 'Logon {{key}}: {{evil}}' });
  await indexDocs(world.esUrl, card.index, [{ ...logonEvent(T - 30_000, 'root'), ...HOSTILE_FIELDS, ...DIGIT_DOMAINS }]);
  const carded = await card.project.run(['run'], { ALERTCRON_NOW: iso(T + 2000) });
  assert.equal(carded.code, 0, carded.stderr);
  const message = chat.messages[1]!;
  assert.equal(message.text, undefined);
  const paragraphs = message.cardsV2![0].card.sections[0].widgets.map((w: { textParagraph: { text: string } }) => w.textParagraph.text) as string[];
  assert.ok(paragraphs[0]!.startsWith('<b>') && paragraphs[0]!.endsWith('</b>'));
  for (const [i, html] of paragraphs.entries()) {
    // The only tags are alertcron's own: <b> around the title and <br> for line breaks.
    const tags = [...html.matchAll(/<[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual([...new Set(tags)].filter((t) => !['<b>', '</b>', '<br>'].includes(t)), [], `paragraph ${i}: no tag from the values`);
    assert.ok(!/[a-z]:\/\//i.test(html), 'no URL a client could link');
    assert.deepEqual(chatFormatting(html).filter((f) => f.startsWith('bare domain')), [], 'no bare domain a client could link');
  }
  assert.ok(paragraphs.join('').replace(/\u2060/g, '').includes('&#60;a href=&#34;https://evil.example&#34;&#62;x&#60;/a&#62;'), 'HTML shown as typed');
  assert.deepEqual(chatFormatting(message.fallbackText!), [], 'the notification preview is inert too');
});

test('errors: 503 is retried by the next run, 429 RESOURCE_EXHAUSTED within the run, an invalid message is refused with Google\'s words; an echoed token is redacted', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await chatProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  chat.answers.push({ status: 429, body: { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } } });
  const throttled = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(throttled.code, 0, throttled.stderr);
  assert.equal(chat.messages.length, 1, 'delivered on the retry');

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'admin')]);
  const unavailable = { status: 503, body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } } };
  chat.answers.push(unavailable, unavailable);
  const down = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.notEqual(down.code, 0);
  assert.match(down.stderr, /Google Chat answered HTTP 503 UNAVAILABLE: The service is currently unavailable\./);
  const later = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN + 30_000) });
  assert.equal(later.code, 0, later.stderr);
  assert.equal(chat.messages.length, 2);

  await indexDocs(world.esUrl, index, [logonEvent(T + 2 * MIN + 10_000, 'guest')]);
  chat.answers.push({ status: 400, body: { error: { code: 400, message: `Invalid JSON payload received for token ${decodeURIComponent(chat.token)}.`, status: 'INVALID_ARGUMENT' } } });
  const refused = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Google Chat answered HTTP 400 INVALID_ARGUMENT: Invalid JSON payload received for token \*\*\*\./);
  for (const secret of secrets()) assert.ok(!everything(project, refused).includes(secret), 'the webhook key and token appear nowhere');
  const sends = chat.recorder.requests.length;
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN + 1000) });
  assert.equal(chat.recorder.requests.length, sends, 'a 400 is not retried');
});

test('a revoked webhook (401 UNAUTHENTICATED) is named by channel test; bad settings are named at their place by validate', async () => {
  const { project } = await chatProject({ format: 'card' });
  const ok = await project.run(['channel', 'test', 'soc-gchat']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /channel soc-gchat \(google-chat\) -> Google Chat webhook at http:\/\/127\.0\.0\.1:\d+: test notice sent\n {2}accepted: message name spaces\/AAAAalerts\/messages\//);
  project.env.GOOGLE_CHAT_WEBHOOK_URL = chat.url.replace(/token=[^&]+/, 'token=revoked-token-000');
  const revoked = await project.run(['channel', 'test', 'soc-gchat']);
  assert.notEqual(revoked.code, 0);
  assert.match(revoked.stderr, /Google Chat answered HTTP 401 UNAUTHENTICATED: Request had invalid authentication credentials\./);
  assert.ok(!(revoked.stdout + revoked.stderr).includes('revoked-token-000'));

  const bad = await chatProject({ format: 'markdown', thread_key: '' });
  const result = await bad.project.run(['validate']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-gchat\/format: must be one of "text", "card"/);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-gchat\/thread_key: must be at least 1 character long/);
});

test('a digest is one message: its title in bold and the table as aligned text in a monospace block, hostile cells inert; in card mode too (a card would not keep the columns)', async () => {
  for (const format of ['text', 'card']) {
    const T = uniqueBaseTime();
    chat.messages.length = 0;
    const { index, project } = await chatProject({ format }, { digest: { every: '2m', fields: ['winlog.event_data.TargetUserName', 'source.ip'] } });
    await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root', { ip: '<users/all> *b* `c` <https://evil.example|x>' }), logonEvent(T - 20_000, 'admin')]);
    const collect = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(collect.code, 0, collect.stderr);
    assert.equal(chat.messages.length, 0, 'collected, not sent');
    const send = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
    assert.equal(send.code, 0, send.stderr);
    assert.equal(chat.messages.length, 1);
    assert.equal(chat.messages[0]!.cardsV2, undefined, `${format}: a text message`);
    const text = chat.messages[0]!.text!;
    assert.match(text, /^\*logons: 2 findings in the last 2 minutes \(2 keys\)\*\n```\n/);
    assert.ok(text.endsWith('\n```'));
    assert.match(text.replace(/\u2060/g, ''), /count\s+winlog\.event\u02cddata\.TargetUserName\s+source\.ip/, 'the table, its underscore a look-alike');
    assert.ok(text.replace(/\u2060/g, '').includes('\u2039users/all\u203a \u2217b\u2217 \u02cbc\u02cb \u2039https://evil.example|x\u203a'), 'the cell, inert');
    assert.deepEqual(chatFormatting(text).filter((f) => !f.startsWith('bold: *logons')), [], 'only the bold title and the block are formatting');
  }
});
