// Issue 26 points 1 and 2 for Mattermost: a `type: mattermost` channel posts each notice to an incoming webhook (the
// title in bold, then the message; with `color` in an attachment), every value inert in Mattermost's markdown and no
// @channel, @all, @here or @user mention notifying anyone (the fake finds mentions as Mattermost's server does), cut
// to one post; 429 and 5xx retried, 4xx final with Mattermost's message and id; the webhook URL appears nowhere.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { unescapedPunctuation, unescapeMarkdown } from '../support/markdownCheck.js';
import { MATTERMOST_MAX_POST, mentionsIn, useMattermostServer } from '../support/mattermostServer.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const mattermost = useMattermostServer();

/** A project whose logon alert (a key per user, resolved after one quiet run) notifies the Mattermost channel only. */
async function mattermostProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const index = await world.index('mattermost-channel');
  const project = world.project({
    extraConfig: { channels: { ...(defaultConfig({ esUrl: world.esUrl }).channels as object), 'soc-mm': { type: 'mattermost', webhook_url: '${MATTERMOST_WEBHOOK_URL}', timeout: '3s', ...channel } } },
  });
  project.env.MATTERMOST_WEBHOOK_URL = mattermost.url;
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', resolve_after: 1, notify: ['soc-mm'], samples: 0, title: 'Logon {{key}} on {{host.name}}', message: '{{count}} logon(s) to {{key}} from {{source.ip}}', ...alert });
  return { index, project };
}

/** Everything a run leaves for people and files: its output, the state and the audit log. */
const everything = (project: { state(): unknown; audit(): unknown[] }, ...outputs: { stdout: string; stderr: string }[]) => JSON.stringify([outputs, project.state(), project.audit()]);

test('trigger, repeat and resolve: one post each, the title in bold then the message, with the channel, name and icon overrides', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await mattermostProject({ channel: '#soc-alerts', username: 'alertcron', icon_url: 'https://alertcron.example/icon.png' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root', { ip: '203.0.113.7' })]);
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(mattermost.posts.map((p) => [p.text, p.channel, p.username, p.icon_url]), [['**Logon root on dc01**\n\n1 logon\\(s\\) to root from 203\\.0\\.113\\.7', 'soc-alerts', 'alertcron', 'https://alertcron.example/icon.png']]);
  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'root')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) })).code, 0);
  const resolved = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.deepEqual(mattermost.posts.map((p) => unescapeMarkdown(p.text.split('\n')[0]!)), ['**Logon root on dc01**', '**Logon root on dc01**', '**Resolved: Logon root on dc01**']);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => [e.channel, e.reason]), [['soc-mm', 'first'], ['soc-mm', 'repeat'], ['soc-mm', 'resolved']]);
  assert.ok(!everything(project, first, resolved).includes(mattermost.hookId), 'the webhook id appears nowhere');
});

test('hostile log values stay inert: no mention notifies anyone, every punctuation character escaped, one post within Mattermost\'s size', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await mattermostProject({}, { title: 'Logon {{key}} {{markdown}} {{emoji}} {{rtl}} {{broken}}', message: `${HOSTILE_MESSAGE} | {{long}} {{long}}` });
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - 30_000, '@channel @alice'), ...HOSTILE_FIELDS }]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(mattermost.posts.length, 1, 'one post: the text was cut to the post size, not split');
  const [post] = mattermost.posts;
  assert.ok(post);
  assert.deepEqual(post.mentions, [], 'no @channel, @all, @here or @user mention');
  assert.ok([...post.text].length <= MATTERMOST_MAX_POST);
  const [heading, , ...rest] = post.text.split('\n');
  const body = rest.join('\n');
  assert.deepEqual(unescapedPunctuation(heading!).map((p) => p.at), [0, 1, heading!.length - 2, heading!.length - 1], 'only the bold around the title is markup');
  assert.deepEqual(unescapedPunctuation(body), [], 'every punctuation character of the message is escaped');
  const seen = unescapeMarkdown(post.text).replace(/\u2060/g, '');
  for (const text of ['Logon @channel @alice @everyone @here @channel @all', '🔥🚨', 'invoicefdp.exe', 'bad\ufffdhalf', '[click](https://evil.example)', '<!channel> <@U024BE7LH>', '{color:red}x{color}']) assert.ok(seen.includes(text), `shown as text: ${text}`);
  assert.ok(seen.endsWith('…'), 'cut with a mark');
  assert.ok(!/[\u202e\u0000-\u0009\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])/.test(post.text), 'no control, direction or broken characters');
  // The fake's mention finder does find them in the raw values (the check is not empty).
  assert.ok(mentionsIn(HOSTILE_FIELDS.markdown).includes('@channel'));
});

test('an indented line of the message stays text (no indented code block showing the escapes)', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await mattermostProject({}, { message: 'Stack:\n    at evil.fn (x.js:1)\n\tthen {{key}}' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  const lines = mattermost.posts[0]!.text.split('\n').slice(2);
  assert.deepEqual(lines, ['Stack\\:', '\u00a0\u00a0\u00a0\u00a0at evil\\.fn \\(x\\.js\\:1\\)', '\u00a0then root'], 'a tab is a space once cleaned');
});

test('with color the text goes in an attachment of that colour whose fallback is the title, mentions broken there too', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await mattermostProject({ color: 'danger' }, { title: 'Logon {{key}} @here' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, '@all')]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const [post] = mattermost.posts;
  assert.ok(post);
  assert.equal(post.text, '');
  assert.equal(post.attachments.length, 1);
  assert.equal(post.attachments[0]!.color, '#a30200', 'a named colour is sent as its hex');
  assert.equal(post.attachments[0]!.fallback!.replace(/\u2060/g, ''), 'Logon @all @here');
  assert.deepEqual([...mentionsIn(post.attachments[0]!.fallback!), ...post.mentions], []);
});

test('429 and 5xx are retried (the next run at the latest); a refused override is final with Mattermost\'s message, id and the fix; an echoed URL shows no secret', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await mattermostProject({}, { resolve_after: undefined });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  mattermost.failures.push('rate-limited');
  const limited = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(limited.code, 0, limited.stderr);
  assert.equal(mattermost.recorder.requests.length, 2);
  assert.equal(mattermost.posts.length, 1);

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'admin')]);
  mattermost.failures.push('server-error', 'server-error');
  const failing = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.notEqual(failing.code, 0);
  assert.match(failing.stderr, /Mattermost answered HTTP 500 Unable to save the post\. \(app\.post\.save\.app_error\)/);
  assert.equal(project.state().pending.length, 1);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN + 30_000) })).code, 0);
  assert.equal(mattermost.posts.length, 2);

  const locked = await mattermostProject({ channel: 'soc-alerts' });
  mattermost.locked = true;
  await indexDocs(world.esUrl, locked.index, [logonEvent(T - 30_000, 'root')]);
  const refused = await locked.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.match(refused.stderr, /Mattermost answered HTTP 403 This webhook is not permitted to post to the requested channel\. \(web\.incoming_webhook\.channel_locked\.app_error\) \(the webhook is locked to its channel: remove channel:, or use a webhook of that channel\) \(not retried\)/);
  assert.equal(locked.project.state().pending.length, 0);

  const echo = await mattermostProject();
  mattermost.failures.push('echo-url');
  await indexDocs(world.esUrl, echo.index, [logonEvent(T - 30_000, 'root')]);
  const echoed = await echo.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.match(echoed.stderr, /Mattermost answered HTTP 400 Unable to parse incoming data\. err=bad request \*\*\*/);
  assert.ok(!everything(echo.project, echoed).includes(mattermost.hookId), 'the webhook id appears nowhere');
  // The hook id alone, without the path around it (a detailed_error naming the hook): redacted too.
  const echoId = await mattermostProject();
  mattermost.failures.push('echo-id');
  await indexDocs(world.esUrl, echoId.index, [logonEvent(T - 30_000, 'root')]);
  const idAlone = await echoId.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.match(idAlone.stderr, /Mattermost answered HTTP 400 Unable to parse incoming data\. err=hook \*\*\* could not parse the body/);
  assert.ok(!everything(echoId.project, idAlone).includes(mattermost.hookId), 'the webhook id alone appears nowhere');

  const unknown = await mattermostProject();
  unknown.project.env.MATTERMOST_WEBHOOK_URL = `${mattermost.recorder.base}/hooks/deletedhook0secret0123456789`;
  await indexDocs(world.esUrl, unknown.index, [logonEvent(T - 30_000, 'root')]);
  const gone = await unknown.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.match(gone.stderr, /Mattermost answered HTTP 400 Invalid webhook\. \(web\.incoming_webhook\.invalid\.app_error\) \(check webhook_url: the webhook was deleted, or its URL is wrong\)/);
  assert.ok(!everything(unknown.project, gone).includes('deletedhook0secret0123456789'));
});

test('a digest shows its table in a code block under the title: Mattermost finds no mention in it', async () => {
  const T = Math.floor(uniqueBaseTime() / MIN) * MIN + 5_000;
  const { index, project } = await mattermostProject({}, { digest: { every: '1m', fields: ['winlog.event_data.TargetUserName', 'host.name'] }, resolve_after: undefined });
  await indexDocs(world.esUrl, index, [logonEvent(T - 4_000, 'root', { host: '```\n@channel `x` [x](https://evil.example)' }), logonEvent(T - 3_000, '@all')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  const sent = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(sent.code, 0, sent.stderr);
  const [post] = mattermost.posts;
  assert.ok(post, 'the digest was sent');
  assert.match(unescapeMarkdown(post.text), /^\*\*logons: 2 findings in the last .+ \(2 keys\)\*\*\n\n```\n[^`]*\n```$/);
  assert.ok(post.text.includes('ˋˋˋ @channel ˋxˋ [x](https://evil.example)'), post.text);
  assert.deepEqual(post.mentions, []);
});

test('validate: a colour that is not #rrggbb, a channel given by display name and an inline URL are errors at the channel\'s line', async () => {
  const { project } = await mattermostProject({ color: 'red', channel: 'SOC Alerts' });
  const result = await project.run(['validate']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-mm\/color: must be a colour such as "#ff0000"/);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-mm\/channel: must be the channel's name \(town-square or #town-square, not its display name\) or @username/);
  const inline = await mattermostProject({ webhook_url: mattermost.url });
  const literal = await inline.project.run(['validate']);
  assert.notEqual(literal.code, 0);
  assert.match(literal.stderr, /webhook_url/);
  assert.ok(!literal.stderr.includes(mattermost.hookId));
});

test('channel test posts a marked test notice through the webhook', async () => {
  const { project } = await mattermostProject();
  const result = await project.run(['channel', 'test', 'soc-mm']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(mattermost.posts.length, 1);
  assert.match(unescapeMarkdown(mattermost.posts[0]!.text), /alertcron test notice for channel soc-mm/);
  assert.ok(!(result.stdout + result.stderr).includes(mattermost.hookId));
});

test('a proxy\'s HTML error page in front of Mattermost is quoted as one line in the error and the audit', async () => {
  const T = uniqueBaseTime();
  const page = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
  const proxy = createServer((_request, response) => response.writeHead(404, { 'content-type': 'text/html' }).end(page));
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  try {
    const { index, project } = await mattermostProject({}, { resolve_after: undefined });
    project.env.MATTERMOST_WEBHOOK_URL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/hooks/abc`;
    await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
    const refused = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /^.*answered HTTP 404.*<title>404 Not Found<\/title><\/head> <body> <center><h1>404 Not Found.*\(check webhook_url\).*$/m);
    const failed = project.audit().filter((event) => (event as { event?: string }).event === 'delivery_failed') as { error: string }[];
    assert.equal(failed.length, 1);
    assert.ok(!/[\r\n]/.test(failed[0]!.error), JSON.stringify(failed[0]!.error));
  } finally {
    await new Promise((done) => proxy.close(done));
  }
});
