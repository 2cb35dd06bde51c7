// Issue 26 points 1 and 2 for Discord: a `type: discord` channel posts each notice through Execute Webhook (the title
// as content, the message in an embed, ?wait=true for the message id as the receipt), never lets a mention ping
// (allowed_mentions: {parse: []}) and keeps every value inert in Discord's markdown, within its limits; 429 waits
// retry_after, 5xx stays pending, 4xx is final with Discord's own words; the webhook URL (its token) appears nowhere.
// Driven through the CLI against OpenSearch and a fake Discord that follows the API (test/support/discordServer.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useDiscordServer } from '../support/discordServer.js';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { unescapedPunctuation, unescapeMarkdown } from '../support/markdownCheck.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const discord = useDiscordServer();

/** A project whose logon alert (a key per user, resolved after one quiet run) notifies the Discord channel only. */
async function discordProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const index = await world.index('discord-channel');
  const project = world.project({
    extraConfig: { channels: { ...(defaultConfig({ esUrl: world.esUrl }).channels as object), 'soc-discord': { type: 'discord', webhook_url: '${DISCORD_WEBHOOK_URL}', username: 'alertcron', color: 0xff0000, timeout: '3s', ...channel } } },
  });
  project.env.DISCORD_WEBHOOK_URL = discord.url;
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', resolve_after: 1, notify: ['soc-discord'], samples: 0, title: 'Logon {{key}} on {{host.name}}', message: '{{count}} logon(s) to {{key}} from {{source.ip}}', ...alert });
  return { index, project };
}

/** Everything a run leaves for people and files: its output, the state and the audit log. */
const everything = (project: { state(): unknown; audit(): unknown[] }, ...outputs: { stdout: string; stderr: string }[]) => JSON.stringify([outputs, project.state(), project.audit()]);

test('trigger, repeat and resolve: each an Execute Webhook call with the title as content, the message in a coloured embed, mentions off, the message id as receipt', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await discordProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root', { ip: '203.0.113.7' })]);
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(discord.recorder.requests.length, 1);
  assert.match(discord.recorder.requests[0]!.path, /\/api\/webhooks\/\d+\/[^/]+\?wait=true$/);
  const [message] = discord.messages;
  assert.ok(message);
  assert.equal(unescapeMarkdown(message.content), '**Logon root on dc01**');
  assert.deepEqual(message.embeds, [{ description: '1 logon\\(s\\) to root from 203\\.0\\.113\\.7', color: 0xff0000 }]);
  assert.equal(message.username, 'alertcron');
  assert.deepEqual(message.allowed_mentions, { parse: [] });
  const sent = (project.state().sent as { channel: string; reason: string; receipt?: { id?: string } }[]).filter((s) => s.channel === 'soc-discord');
  assert.deepEqual(sent.map((s) => s.receipt?.id), [message.id], 'the receipt is the message id (wait=true)');

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'root')]);
  const repeat = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(repeat.code, 0, repeat.stderr);
  const resolved = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.deepEqual(discord.messages.map((m) => unescapeMarkdown(m.content)), ['**Logon root on dc01**', '**Logon root on dc01**', '**Resolved: Logon root on dc01**']);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => [e.channel, e.reason]), [['soc-discord', 'first'], ['soc-discord', 'repeat'], ['soc-discord', 'resolved']]);
  assert.ok(!everything(project, first, repeat, resolved).includes(discord.token), 'the webhook token appears nowhere');
});

test('hostile log values stay inert: no ping, every punctuation character escaped, cut to Discord\'s limits between characters', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await discordProject({}, { title: 'Logon {{key}} {{markdown}} {{emoji}} {{rtl}} {{broken}} {{evil}}', message: HOSTILE_MESSAGE });
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - 30_000, '@everyone <@123456789012345678>'), ...HOSTILE_FIELDS }]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(discord.messages.length, 1, 'Discord accepted the message (within its limits)');
  const [message] = discord.messages;
  assert.ok(message);
  assert.deepEqual(message.pings, [], 'nothing pings');
  assert.deepEqual(message.allowed_mentions, { parse: [] });
  // The content is the title in bold: the only markup characters not escaped are the four asterisks around it.
  const inContent = unescapedPunctuation(message.content);
  assert.deepEqual(inContent.map((p) => p.at), [0, 1, message.content.length - 2, message.content.length - 1], message.content);
  const description = message.embeds[0]!.description!;
  assert.deepEqual(unescapedPunctuation(description), [], 'every punctuation character of the message is escaped');
  assert.ok(description.length <= 4096 && message.content.length <= 2000);
  const seen = unescapeMarkdown(description);
  for (const text of ['@everyone @here @channel @all <@123456789012345678> <@&987654321098765432>', '[click](https://evil.example)', '[click|https://evil.example]']) assert.ok(seen.includes(text), `shown as text: ${text}`);
  const title = unescapeMarkdown(message.content);
  for (const text of ['Logon @everyone <@123456789012345678> @everyone @here', '🔥🚨', 'invoicefdp.exe', 'bad\ufffdhalf']) assert.ok(title.includes(text), `shown as text in the title: ${text}`);
  assert.ok(seen.endsWith('…'), 'the 10,000-character value is cut, with a mark');
  assert.ok(!/[\u202e\u0000-\u0009\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])/.test(description + message.content), 'no control, direction or broken characters');
  assert.ok(!everything(project, result).includes(discord.token));
});

test('429 waits Discord\'s retry_after and is delivered in the same run; 5xx stays pending and goes next run', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await discordProject({}, { resolve_after: undefined });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  discord.failures.push('rate-limited');
  const limited = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(limited.code, 0, limited.stderr);
  assert.equal(discord.recorder.requests.length, 2, 'retried once after retry_after');
  assert.equal(discord.messages.length, 1);

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'admin')]);
  discord.failures.push('server-error', 'server-error');
  const failing = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.notEqual(failing.code, 0);
  assert.match(failing.stderr, /Discord answered HTTP 502/);
  assert.equal(project.state().pending.length, 1, 'kept for the next run');
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN + 30_000) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(project.state().pending.length, 0);
  assert.deepEqual(discord.messages.map((m) => unescapeMarkdown(m.content)), ['**Logon root on dc01**', '**Logon admin on dc01**']);

  // A retry_after longer than a run waits is not waited for: pending, and not tried before that time.
  await indexDocs(world.esUrl, index, [logonEvent(T + 2 * MIN - 10_000, 'bob')]);
  discord.retryAfter = 45.5;
  discord.failures.push('rate-limited');
  const long = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.notEqual(long.code, 0);
  assert.match(long.stderr, /Discord answered HTTP 429 You are being rate limited\./);
  assert.equal(discord.messages.length, 2, 'not retried within the run');
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 2 * MIN + 1_000) });
  assert.match(status.stdout, /next attempt after/);
  const early = discord.recorder.requests.length;
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN + 20_000) });
  assert.equal(discord.recorder.requests.length, early, 'not tried again before retry_after has passed');
  assert.equal(project.state().pending.length, 1);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) })).code, 0);
  assert.deepEqual(discord.messages.map((m) => unescapeMarkdown(m.content)).slice(2), ['**Logon bob on dc01**']);
});

test('a refusal is final and says Discord\'s words; one that echoes the URL shows no token anywhere; a wrong token says to check webhook_url', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await discordProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  discord.failures.push('echo-url');
  const refused = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(refused.code, 0);
  assert.equal(discord.recorder.requests.length, 1, 'a 400 is not retried');
  assert.match(refused.stderr, /Discord answered HTTP 400 50035 Invalid Form Body at \*\*\*\?wait=true \(not retried\)/);
  assert.equal(project.state().pending.length, 0, 'dropped, not pending');
  assert.ok(!everything(project, refused).includes(discord.token), 'the token appears nowhere');

  const wrong = await discordProject();
  wrong.project.env.DISCORD_WEBHOOK_URL = discord.url.replace(discord.token, 'not-the-token-SECRET-4242');
  await indexDocs(world.esUrl, wrong.index, [logonEvent(T - 30_000, 'root')]);
  const denied = await wrong.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.match(denied.stderr, /Discord answered HTTP 401 50027 Invalid Webhook Token \(check webhook_url: the webhook was deleted, or its URL or token is wrong\)/);
  assert.ok(!everything(wrong.project, denied).includes('not-the-token-SECRET-4242'));
});

test('a digest shows its table in a code block under the title, values inert', async () => {
  const T = Math.floor(uniqueBaseTime() / MIN) * MIN + 5_000;
  const { index, project } = await discordProject({}, { digest: { every: '1m', fields: ['winlog.event_data.TargetUserName', 'host.name'] }, resolve_after: undefined });
  await indexDocs(world.esUrl, index, [logonEvent(T - 4_000, 'root', { host: '`evil` @everyone [x](https://evil.example)' }), logonEvent(T - 3_000, 'bob')]);
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  const sent = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(sent.code, 0, sent.stderr);
  const [message] = discord.messages;
  assert.ok(message, 'the digest was sent');
  assert.match(unescapeMarkdown(message.content), /^\*\*logons: 2 findings in the last .+ \(2 keys\)\*\*$/);
  const description = message.embeds[0]!.description!;
  assert.match(description, /^```\n[^`]*\n```$/, 'one code block, no backtick inside to close it');
  assert.ok(description.includes('ˋevilˋ @everyone [x](https://evil.example)'), description);
  assert.deepEqual(message.pings, []);
});

test('validate: a username Discord refuses, a colour that is not a number and an inline URL are errors at the channel\'s line, with the fix', async () => {
  const { project } = await discordProject({ username: 'Discord alerts', color: 'red' });
  const result = await project.run(['validate']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-discord\/color: must be an integer/);
  const named = await discordProject({ username: 'Discord alerts' });
  const bad = await named.project.run(['validate']);
  assert.match(bad.stderr, /alertcron\.yaml:\d+:\d+ .*username "Discord alerts" must not contain "discord" or "clyde" \(Discord refuses such a webhook name\): choose another name, or leave username out/);
  const slackish = await discordProject();
  slackish.project.env.DISCORD_WEBHOOK_URL = `${discord.url}/slack`;
  const suffix = await slackish.project.run(['validate']);
  assert.match(suffix.stderr, /alertcron\.yaml:\d+:\d+ .*webhook_url ends with \/slack or \/github \(the Slack- or GitHub-compatible endpoint\): give the plain webhook URL, without that suffix/);
  assert.ok(!suffix.stderr.includes(discord.token));
  const inline = await discordProject({ webhook_url: discord.url });
  const literal = await inline.project.run(['validate']);
  assert.notEqual(literal.code, 0);
  assert.match(literal.stderr, /webhook_url/);
  assert.ok(!literal.stderr.includes(discord.token), 'the inline secret is not echoed');
});

test('channel test posts a marked test notice and prints the message id Discord gave', async () => {
  const { project } = await discordProject();
  const result = await project.run(['channel', 'test', 'soc-discord']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /accepted.*Discord message id \d+/);
  assert.equal(discord.messages.length, 1);
  assert.match(unescapeMarkdown(discord.messages[0]!.content), /alertcron test notice for channel soc-discord/);
  assert.ok(!(result.stdout + result.stderr).includes(discord.token));
});
