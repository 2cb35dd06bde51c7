// Issue 26 points 1 and 2 for Microsoft Teams: a `type: teams` channel posts an Adaptive Card through a Workflows
// (Power Automate) webhook; every text of the card is a TextRun (never markdown), hostile log values stay inert,
// the flow's signature is redacted everywhere, and retired Office 365 connector URLs are refused at validate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { cardTexts, TEAMS_MESSAGE_BYTES, teamsLinks, useTeamsWorkflowServer } from '../support/teamsWorkflowServer.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const teams = useTeamsWorkflowServer();

/** A project whose logon alert notifies a teams channel (its URL from TEAMS_WEBHOOK_URL). */
async function teamsProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const index = await world.index('teams-channel');
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) as { channels: Record<string, unknown> };
  project.writeConfig({ ...base, channels: { ...base.channels, 'soc-teams': { type: 'teams', webhook_url: '${TEAMS_WEBHOOK_URL}', timeout: '3s', ...channel } } });
  project.env.TEAMS_WEBHOOK_URL = teams.url;
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', samples: 0, notify: ['soc-teams'], title: 'Logon {{key}} on {{host.name}}', message: '{{count}} logons to {{key}} from {{source.ip}}', ...alert });
  return { index, project };
}

/** The plain texts of each posted card, word joiners taken out (what a person reads). */
const readTexts = () => teams.posted.map((p) => cardTexts(p.card).plain.map((t) => t.replace(/\u2060/g, '')));
/** Everything a run leaves for people and files: its output, the state and the audit log. */
const everything = (project: Project, ...outputs: { stdout: string; stderr: string }[]) => JSON.stringify([outputs, project.state(), project.audit()]);

test('a finding becomes one Adaptive Card posted through the workflow (title, message, fact rows, full width); a repeat is a second card and the resolve a third', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await teamsProject({ facts: ['host.name', 'source.ip', 'no.such.field'], full_width: true }, { resolve_after: 1 });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root', { ip: '203.0.113.7' })]);
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(teams.failedRuns, [], 'Teams posted every card');
  assert.equal(teams.posted.length, 1);
  const card = teams.posted[0]!.card;
  assert.equal(card.version, '1.4');
  assert.deepEqual(card.msteams, { width: 'Full' });
  assert.deepEqual(cardTexts(card).markdown, [], 'no text of the card is read as markdown');
  assert.deepEqual(readTexts()[0], ['Logon root on dc01', '1 logons to root from 203.0.113.7', 'host.name', 'dc01', 'source.ip', '203.0.113.7']);
  assert.equal(card.body[0].inlines[0].weight, 'Bolder');
  const request = teams.recorder.requests[0]!;
  assert.match(String(request.headers['content-type']), /^application\/json/);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => e.channel), ['soc-teams']);

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'root')]);
  const repeat = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(repeat.code, 0, repeat.stderr);
  const resolve = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(resolve.code, 0, resolve.stderr);
  assert.deepEqual(readTexts().map((texts) => texts[0]), ['Logon root on dc01', 'Logon root on dc01', 'Resolved: Logon root on dc01']);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => e.reason), ['first', 'repeat', 'resolved']);
  assert.deepEqual(teams.failedRuns, []);
});

/** Bare domains whose label ends in a digit, which clients link as readily as evil.example. */
const DIGIT_DOMAINS = { domains: 'paypa1.com/x evil1.com login-office365.com/reset' };

test('hostile log values stay inert on the card: plain TextRuns only, no link, no {{function}}, no control or direction characters, cut under 28 KB, shown as typed', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await teamsProject({ facts: Object.keys(HOSTILE_FIELDS) }, { message: `{{domains}} | ${HOSTILE_MESSAGE}`, title: 'Logon {{key}}: {{markdown}}' });
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - 30_000, 'root'), ...HOSTILE_FIELDS, ...DIGIT_DOMAINS }]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(teams.failedRuns, [], 'Teams posted it (under 28 KB, a valid card)');
  assert.equal(teams.posted.length, 1);
  assert.ok(Buffer.byteLength(teams.recorder.requests[0]!.body) <= TEAMS_MESSAGE_BYTES);
  const { markdown, plain } = cardTexts(teams.posted[0]!.card);
  assert.deepEqual(markdown, [], 'nothing goes where Teams reads markdown (TextBlock, FactSet)');
  for (const text of plain) {
    assert.deepEqual(teamsLinks(text), [], `no URL, domain or address a client could link: ${text.slice(0, 200)}`);
    assert.ok(!text.includes('{{'), 'no Adaptive Card function');
    assert.ok(!/[\u202e\u0000-\u0009\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])/.test(text), 'no control, direction or broken characters');
  }
  const read = readTexts()[0]!.join('\n');
  for (const typed of ['**bold**', '[click](https://evil.example)', '<at>Admin</at>', '<!channel>', '${expression}', '🔥🚨', '@everyone', 'paypa1.com/x evil1.com']) assert.ok(read.includes(typed), `shown as typed: ${typed}`);
  assert.ok(!everything(project, result).includes(teams.sig), 'the signature appears nowhere');
});

test('a card with many long fields in a script of several bytes a character still posts: the fields are shortened to fit (not lost after the 202)', async () => {
  const T = uniqueBaseTime();
  const facts = Array.from({ length: 14 }, (_, i) => `f${i}`);
  const { index, project } = await teamsProject({ facts }, { message: 'important message' });
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - 30_000, 'root'), ...Object.fromEntries(facts.map((f) => [f, 'ꀀ.'.repeat(300)])) }]);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(teams.failedRuns, [], 'the flow run posted the card (under 28 KB)');
  assert.equal(teams.posted.length, 1);
  assert.ok(Buffer.byteLength(teams.recorder.requests[0]!.body) <= 26_000);
  const texts = readTexts()[0]!;
  assert.ok(texts.includes('important message'));
  assert.deepEqual(facts.filter((f) => texts.includes(f)), facts, 'every field is there, its value shortened');
});

test('a retired Office 365 connector URL is refused by validate and run, at the channel, with the reason and the fix, and never printed', async () => {
  for (const url of ['https://contoso.webhook.office.com/webhookb2/0b1c2d3e-aaaa@72f988bf/IncomingWebhook/SECRETPATH1234/5d6e7f', 'https://outlook.office.com/webhook/0b1c2d3e-aaaa@72f988bf/IncomingWebhook/SECRETPATH1234/5d6e7f']) {
    const { project } = await teamsProject();
    project.env.TEAMS_WEBHOOK_URL = url;
    const validate = await project.run(['validate']);
    assert.notEqual(validate.code, 0);
    assert.match(validate.stderr, /alertcron\.yaml:\d+:\d+ .*webhook_url is an Office 365 connector URL \((contoso\.webhook\.office\.com|outlook\.office\.com)\): Microsoft retired these connectors in Teams/);
    assert.match(validate.stderr, /Create a Workflows webhook instead: .*"Post to a channel when a webhook request is received"/);
    assert.match(validate.stderr, /https:\/\/devblogs\.microsoft\.com\/microsoft365dev\/retirement-of-office-365-connectors-within-microsoft-teams\//);
    assert.ok(!validate.stderr.includes('SECRETPATH1234') && !validate.stdout.includes('SECRETPATH1234'), validate.stderr);
    const run = await project.run(['run']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Office 365 connector URL/);
    assert.equal(teams.recorder.requests.length, 0);
  }
});

test('errors: throttling (429 Retry-After) is retried in the run, a 5xx stays pending for the next run, a refused request is named in the service\'s words; an echoed URL is redacted', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await teamsProject();
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  teams.answers.push({ status: 429, body: { error: { code: 'WorkflowRequestsThrottled', message: 'Rate limit is exceeded. Try again in 1 seconds.' } }, headers: { 'retry-after': '1' } });
  const throttled = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(throttled.code, 0, throttled.stderr);
  assert.equal(teams.recorder.requests.length, 2, 'retried after Retry-After');
  assert.equal(teams.posted.length, 1);

  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'admin')]);
  teams.answers.push({ status: 502, body: { error: { code: 'BadGateway', message: 'upstream' } } }, { status: 502, body: { error: { code: 'BadGateway', message: 'upstream' } } });
  const down = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.notEqual(down.code, 0);
  assert.match(down.stderr, /the Teams workflow answered HTTP 502 BadGateway: upstream/);
  assert.ok(project.state().pending.some((p: { channel: string }) => p.channel === 'soc-teams'), 'left pending');
  const later = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN + 30_000) });
  assert.equal(later.code, 0, later.stderr);
  assert.equal(teams.posted.length, 2, 'delivered by the next run');

  await indexDocs(world.esUrl, index, [logonEvent(T + 2 * MIN + 10_000, 'guest')]);
  teams.echoUrl = true;
  teams.answers.push({ status: 400, body: {} });
  const refused = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.notEqual(refused.code, 0);
  const sends = teams.recorder.requests.length;
  assert.match(refused.stderr, /the Teams workflow answered HTTP 400 Echo: failed for signature \*\*\*/);
  assert.ok(!everything(project, refused).includes(teams.sig), 'the signature appears nowhere');
  await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN + 1000) });
  assert.equal(teams.recorder.requests.length, sends, 'a 400 is not retried');
});

test('a wrong signature (the workflow was re-created) is refused for good with the service\'s code; channel test posts a marked card', async () => {
  const { project } = await teamsProject();
  const ok = await project.run(['channel', 'test', 'soc-teams']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /channel soc-teams \(teams\) -> Teams workflow at http:\/\/127\.0\.0\.1:\d+: test notice sent/);
  assert.equal(teams.posted.length, 1);
  assert.match(readTexts()[0]!.join('\n'), /This is a test from alertcron/);

  project.env.TEAMS_WEBHOOK_URL = teams.url.replace(/sig=[^&]+/, 'sig=WrongSignature0000000000000000');
  const wrong = await project.run(['channel', 'test', 'soc-teams']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /HTTP 401 DirectApiInvalidAuthorizationSignature: The provided authorization signature is not valid\./);
  assert.ok(!(wrong.stdout + wrong.stderr).includes('WrongSignature0000000000000000'));
});

test('bad settings are named at their place by validate: facts not a list, an unknown key, an inline URL', async () => {
  const { project } = await teamsProject({ facts: 'host.name', width: 'full' });
  const result = await project.run(['validate']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-teams\/facts: must be an array/);
  assert.match(result.stderr, /alertcron\.yaml:\d+:\d+ .*width/);
  const inline = await teamsProject({ webhook_url: teams.url });
  const refused = await inline.project.run(['validate']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /secrets must not be written inline: use webhook_url: \$\{SOME_ENV_VAR\} or webhook_url_file/);
  assert.ok(!refused.stderr.includes(teams.sig));
});

test('a digest is one card: its title, and the table as aligned text in a monospace TextRun, hostile cells inert', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await teamsProject({ facts: ['host.name'] }, { digest: { every: '2m', fields: ['winlog.event_data.TargetUserName', 'source.ip'] } });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root', { ip: '[x](https://evil.example) **b**' }), logonEvent(T - 20_000, 'admin')]);
  const collect = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(collect.code, 0, collect.stderr);
  assert.equal(teams.posted.length, 0, 'collected, not sent');
  const send = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(send.code, 0, send.stderr);
  assert.deepEqual(teams.failedRuns, []);
  assert.equal(teams.posted.length, 1);
  const card = teams.posted[0]!.card;
  assert.deepEqual(cardTexts(card).markdown, []);
  const [title, table] = readTexts()[0]!;
  assert.match(title!, /^logons: 2 findings in the last 2 minutes \(2 keys\)$/);
  assert.equal(card.body[1].inlines[0].fontType, 'Monospace');
  assert.match(table!, /count\s+winlog\.event_data\.TargetUserName\s+source\.ip/);
  assert.ok(table!.includes('[x](https://evil.example) **b**'), 'the cell as typed');
  assert.ok(!/[a-z]:\/\//i.test(cardTexts(card).plain.join('\n')), 'no linkable URL');
});
