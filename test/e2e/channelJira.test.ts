// Issue 26 points 1 and 2 for Jira: a `type: jira` channel opens one issue per alert and key (REST API v2), comments
// on it while it is open (also after the state is lost: the label finds it), closes it with resolve_transition, and
// keeps hostile log text inert in wiki markup. Driven through the CLI against OpenSearch and the fake Jira.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { incidentId } from '../../src/notify/incidentId.js';
import { cleanText } from '../../src/util/text.js';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { checkProperty, fc } from '../support/property.js';
import { useJiraServer } from '../support/jiraServer.js';
import { pagingProject, runOk as runAt } from '../support/channelRuns.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const jira = useJiraServer();

/** A project whose logon alert (a key per user, resolved after one quiet run) notifies a jira channel. */
async function jiraProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const fake = jira.server;
  const { project, logon } = await pagingProject(world, 'jira-channel', {
    'sec-jira': {
      type: 'jira',
      url: fake.base,
      username: fake.user,
      password: '${JIRA_API_TOKEN}',
      project: 'SEC',
      issue_type: 'Task',
      summary: '{{title}}',
      description: 'Found by alertcron on {{host.name}}.\n\n{{message}}',
      labels: ['alertcron', 'soc'],
      components: ['SOC'],
      priority: 'High',
      assignee: 'jdoe',
      watchers: ['asmith'],
      transition_to: 'In Progress',
      resolve_transition: 'Done',
      timeout: '3s',
      ...channel,
    },
  }, alert);
  project.env.JIRA_API_TOKEN = fake.apiToken;
  return { project, logon };
}

const creates = () => jira.server.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/2/issue');
const receipts = (state: { sent?: { channel: string; reason: string; receipt?: { id?: string } }[] }) => (state.sent ?? []).filter((s) => s.channel === 'sec-jira').map((s) => `${s.reason}:${s.receipt?.id}`);

test('one issue per key: created with every field, moved to In Progress, watched; a repeat, a lost state and the resolve comment on it; the resolve closes it and the next trigger opens a new one', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await jiraProject();
  await logon(T - 30_000, 'root');
  await runAt(project, T);
  assert.equal(jira.server.issues.length, 1);
  const [issue] = jira.server.issues;
  assert.ok(issue);
  assert.equal(issue.key, 'SEC-1');
  assert.deepEqual(issue.fields.project, { key: 'SEC' });
  assert.deepEqual(issue.fields.issuetype, { name: 'Task' });
  assert.equal(issue.fields.summary, 'Admin logon: root');
  assert.equal(issue.fields.description, 'Found by alertcron on dc01.\n\n1 logons to root from 10\\.0\\.0\\.5', 'the template\'s own text is the operator\'s markup; values are escaped');
  assert.deepEqual(issue.fields.labels, ['alertcron', 'soc', incidentId('admin-logons', 'root')]);
  assert.deepEqual(issue.fields.components, [{ name: 'SOC' }]);
  assert.deepEqual(issue.fields.priority, { name: 'High' });
  assert.deepEqual(issue.fields.assignee, { name: 'jdoe' });
  assert.equal(issue.status, 'In Progress', 'transition_to matched the target status of "Start Progress"');
  assert.deepEqual(issue.watchers, ['asmith']);
  assert.ok(jira.server.requests.every((r) => r.headers.authorization === `Basic ${Buffer.from(`${jira.server.user}:${jira.server.apiToken}`).toString('base64')}`));
  assert.deepEqual(receipts(project.state()), ['first:SEC-1'], 'the receipt is the issue key');

  // Still matching a minute later: the repeat comments on the open issue.
  await logon(T + 30_000, 'root');
  await runAt(project, T + MIN);
  assert.equal(jira.server.issues.length, 1, 'no second issue while one is open');
  assert.deepEqual(issue.comments, ['*Admin logon\\: root*\n\nFound by alertcron on dc01.\n\n1 logons to root from 10\\.0\\.0\\.5']);

  // The state is lost: the key's next notice is a "first" again, and the label still finds the open issue.
  rmSync(join(project.dir, 'state'), { recursive: true, force: true });
  await logon(T + 90_000, 'root');
  await runAt(project, T + 2 * MIN);
  assert.equal(creates().length, 1, 'never a second create');
  assert.equal(issue.comments.length, 2);
  assert.ok(jira.server.requests.some((r) => r.path.startsWith('/rest/api/2/search/jql?') && String(new URL(r.path, 'http://jira').searchParams.get('jql')).includes(`labels = "${incidentId('admin-logons', 'root')}" AND statusCategory != Done`)));

  // Quiet for a run: the resolve comments and applies resolve_transition (matched by its target status, Done).
  await runAt(project, T + 3 * MIN);
  assert.equal(issue.status, 'Done');
  assert.match(issue.comments[2]!, /^\*Resolved\\: Admin logon\\: root\*/);
  assert.deepEqual(receipts(project.state()).slice(-1), ['resolved:SEC-1']);

  // The key fires again: its issue is Done, so a new one opens.
  await logon(T + 4 * MIN - 30_000, 'root');
  await runAt(project, T + 4 * MIN);
  assert.deepEqual(jira.server.issues.map((i) => `${i.key}:${i.status}`), ['SEC-1:Done', 'SEC-2:In Progress']);
});

test('two notices of one key in one run (the first and an escalation tier) make one issue and one comment, even while Jira\'s search does not show the new issue yet; without resolve_transition the resolve is a comment only', async () => {
  const T = uniqueBaseTime();
  jira.server.searchLagMs = 60_000;
  const { project, logon } = await jiraProject({ resolve_transition: undefined, transition_to: undefined }, { escalation: [{ after: '0s', notify: ['sec-jira'] }] });
  await logon(T - 30_000, 'admin');
  await runAt(project, T);
  assert.equal(jira.server.issues.length, 1);
  assert.equal(jira.server.issues[0]!.comments.length, 1, 'the tier commented on the issue the first notice opened');
  assert.deepEqual(receipts(project.state()).sort(), ['first:SEC-1', 'tier-1:SEC-1']);
  jira.server.searchLagMs = 0;
  await runAt(project, T + MIN);
  assert.equal(jira.server.issues[0]!.status, 'To Do', 'no transition without resolve_transition');
  assert.match(jira.server.issues[0]!.comments.at(-1)!, /^\*Resolved\\: Admin logon\\: admin\*/);
});

test('Jira Server/Data Center with a personal access token: Bearer auth, the search falls back to /rest/api/2/search', async () => {
  const T = uniqueBaseTime();
  jira.server.flavour = 'server';
  const { project, logon } = await jiraProject({ username: undefined, password: undefined, token: '${JIRA_PAT}', watchers: [] });
  project.env.JIRA_PAT = jira.server.pat;
  await logon(T - 30_000, 'root');
  await runAt(project, T);
  await logon(T + 30_000, 'root');
  await runAt(project, T + MIN);
  assert.equal(jira.server.issues.length, 1);
  assert.equal(jira.server.issues[0]!.comments.length, 1);
  assert.ok(jira.server.requests.every((r) => r.headers.authorization === `Bearer ${jira.server.pat}`));
  assert.ok(jira.server.requests.some((r) => r.path.startsWith('/rest/api/2/search?')), 'the Server search was used');
});

test('hostile finding values stay inert in wiki markup: no link, mention, macro, image, colour, heading or line break forms; the summary is one clean line', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await jiraProject({ description: '{{message}}', summary: '{{title}} {{markdown}}' }, { message: HOSTILE_MESSAGE });
  await logon(T - 30_000, 'root', HOSTILE_FIELDS);
  const result = await runAt(project, T);
  const [issue] = jira.server.issues;
  assert.ok(issue, result.stderr);
  const description = issue.fields.description!;
  // Every ASCII punctuation character is escaped (a backslash is the entity &#92;): no markup can form.
  assert.match(description, /^(?:\\[!-/:-@[\]-`{-~]|&#92;|[^!-/:-@[-`{-~])*$/s, 'every punctuation character of the values is escaped');
  for (const raw of ['[click|https://evil.example]', '[~admin]', '{noformat}', '{code}', '{color:red}', '!https://evil.example/x.png!', 'h1. Title', 'https://', 'www.evil.example', 'admin@evil.example']) {
    assert.ok(!description.includes(raw), `${raw} reached Jira as markup`);
  }
  // Read back (escapes undone), the values are all there, cleaned of control and direction characters.
  const text = description.replace(/\\([!-/:-@[\]-`{-~])/g, '$1').replace(/&#92;/g, '\\');
  for (const value of ['[click|https://evil.example] [~admin] {color:red}x{color} {code}x{code} {noformat}y{noformat}', '<!channel>', cleanText(HOSTILE_FIELDS.emoji), 'invoicefdp.exe']) assert.ok(text.includes(value), value);
  assert.ok(!/[\u202e\r\ud800]/.test(description));
  assert.ok(description.length <= 32_767);
  assert.ok(!/[\r\n]/.test(issue.fields.summary) && issue.fields.summary.length <= 255, 'one line, at most 255 characters');
  assert.ok(issue.fields.summary.startsWith('Admin logon: root @everyone'));
});

test('generated log values through the CLI: every issue description Jira receives has each punctuation character escaped and reads back as the cleaned value', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await jiraProject({ description: '{{host.name}}', transition_to: undefined, resolve_transition: undefined, watchers: [] }, { throttle: '1h' });
  const unit = fc.oneof(fc.constantFrom(...'[]{}|!*_-+^~?#\\:;.@&()/ \n\t\u202e'.split(''), 'h1. ', '{noformat}', '[~admin]', 'https://x.example'), fc.string({ maxLength: 2, unit: 'grapheme' }));
  let run = 0;
  await checkProperty(
    'jira description of generated values',
    fc.asyncProperty(fc.string({ unit, minLength: 1, maxLength: 40 }), async (host) => {
      run++;
      await logon(T + run * MIN - 30_000, `user${run}`, { host: { name: host } });
      await runAt(project, T + run * MIN);
      const issue = jira.server.issues.find((i) => i.fields.labels.includes(incidentId('admin-logons', `user${run}`)));
      assert.ok(issue, 'an issue for the new key');
      const description = issue.fields.description ?? '';
      assert.match(description, /^(?:\\[!-/:-@[\]-`{-~]|&#92;|[^!-/:-@[-`{-~])*$/s);
      assert.equal(description.replace(/\\([!-/:-@[\]-`{-~])|&#92;/g, (whole, char: string | undefined) => char ?? '\\'), cleanText(host));
    }),
    10,
  );
});

test('errors: a wrong token is one clear message, not retried, redacted even when Jira echoes it; a refused field is named; 429 waits for Retry-After; a create that got through but answered 500 is not created twice, even while the search lags', async () => {
  const T = uniqueBaseTime();
  jira.server.echoAuth = true;
  const wrong = await jiraProject();
  wrong.project.env.JIRA_API_TOKEN = 'not-the-token-SECRET-4242';
  await wrong.logon(T - 30_000, 'root');
  const refused = await wrong.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Jira at http:\/\/127\.0\.0\.1:\d+ answered HTTP 401 to a search for the open issue: Client must be authenticated to access this resource \(got Basic \*\*\*\) \(check the channel's username and password \(Jira Cloud: an API token\)\)/);
  assert.equal(jira.server.requests.length, 1, 'a 401 is not retried');
  const everything = JSON.stringify([refused, wrong.project.state(), wrong.project.audit()]);
  assert.ok(!everything.includes('not-the-token-SECRET-4242') && !everything.includes(Buffer.from(`${jira.server.user}:not-the-token-SECRET-4242`).toString('base64')), 'the token appears nowhere');
  jira.server.echoAuth = false;

  jira.server.requests.length = 0;
  const badComponent = await jiraProject({ components: ['Nope'] });
  await badComponent.logon(T - 30_000, 'root');
  const named = await badComponent.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(named.code, 0);
  assert.match(named.stderr, /answered HTTP 400 to the new issue: components: Component name 'Nope' is not valid/);
  assert.equal(creates().length, 1, 'a refused field is not retried');

  jira.server.requests.length = 0;
  jira.server.busy = 1;
  const busy = await jiraProject();
  await busy.logon(T - 30_000, 'root');
  const started = Date.now();
  await runAt(busy.project, T);
  assert.ok(Date.now() - started >= 1000, 'the retry waited for Retry-After: 1');
  assert.equal(jira.server.issues.length, 1);

  jira.server.issues.length = 0;
  jira.server.requests.length = 0;
  jira.server.createFailures = 1;
  jira.server.searchLagMs = 60_000;
  const flaky = await jiraProject({}, { escalation: [{ after: '0s', notify: ['sec-jira'] }] });
  await flaky.logon(T - 30_000, 'root');
  const unsure = await flaky.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(unsure.code, 0);
  assert.match(unsure.stderr, /answered HTTP 500 to the new issue: Internal server error \(Jira may have created the issue: the next run looks for it before creating one\) \(will retry next run\)/);
  assert.match(unsure.stderr, /waits for the next run: the create of this key's issue got no clear answer/);
  assert.equal(creates().length, 1, 'a create without a clear answer is not retried in the run, nor followed by the tier\'s own create');
  assert.equal(jira.server.issues.length, 1);
  jira.server.searchLagMs = 0;
  await runAt(flaky.project, T + 1000);
  assert.equal(creates().length, 1, 'the next run found the issue the failed answer had created');
  assert.equal(jira.server.issues.length, 1);
  assert.equal(jira.server.issues[0]!.comments.length, 2, 'the first notice and its tier commented on it');
  assert.deepEqual(receipts(flaky.project.state()).sort(), [`first:${jira.server.issues[0]!.key}`, `tier-1:${jira.server.issues[0]!.key}`]);
});

test('validate names the file, the place and the fix: no credentials, both kinds of credentials, a label with a space, a literal password', async () => {
  const { project } = await jiraProject({ username: undefined, password: undefined });
  const none = await project.run(['validate']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/sec-jira: a jira channel needs username and password \(Jira Cloud: your e-mail address and an API token\), or token \(a personal access token on Jira Server\/Data Center\)$/m);

  const both = await jiraProject({ token: '${JIRA_PAT}' });
  both.project.env.JIRA_PAT = 'x-pat-value';
  assert.match((await both.project.run(['validate'])).stderr, /\/channels\/sec-jira: a jira channel signs in with token, or with username and password: set one of them, not both/);

  const spaced = await jiraProject({ labels: ['two words'] });
  assert.match((await spaced.project.run(['validate'])).stderr, /alertcron\.yaml:\d+:\d+ \/channels\/sec-jira\/labels\/0: must be a Jira label: no spaces, at most 255 characters$/m);

  const literal = await jiraProject({ password: 'hunter2-literal' });
  const inline = await literal.project.run(['validate']);
  assert.match(inline.stderr, /\/channels\/sec-jira\/password: secrets must not be written inline: use password: \$\{SOME_ENV_VAR\} or password_file/);
  assert.ok(!inline.stderr.includes('hunter2-literal'));
});

test('a digest is a plain create: a wiki table of escaped cells, no incident label, never commented on or closed', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await jiraProject({ transition_to: undefined, watchers: [] }, { digest: { every: '2m', fields: ['winlog.event_data.TargetUserName', 'source.ip'] } });
  await logon(T - 30_000, 'root');
  await logon(T - 20_000, '[~admin]|x');
  await runAt(project, T);
  assert.equal(jira.server.issues.length, 0, 'collected, not sent yet');
  await runAt(project, T + 3 * MIN);
  assert.equal(jira.server.issues.length, 1);
  const [issue] = jira.server.issues;
  assert.deepEqual(issue!.fields.labels, ['alertcron', 'soc'], 'no incident label: a digest is never found again as a key\'s issue');
  const lines = issue!.fields.description!.split('\n');
  assert.match(lines[0]!, /^2 findings\\, /);
  assert.equal(lines[2], '||count||winlog\\.event\\_data\\.TargetUserName||source\\.ip||');
  assert.ok(lines.includes('|1|\\[\\~admin\\]\\|x|10\\.0\\.0\\.5|'), issue!.fields.description);
  assert.ok(!issue!.fields.summary.includes('\n'));
});

test('channel test sec-jira creates an issue and names its key', async () => {
  const { project } = await jiraProject();
  const result = await project.run(['channel', 'test', 'sec-jira']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /channel sec-jira \(jira\) -> Jira http:\/\/127\.0\.0\.1:\d+ project SEC: test notice sent\n  accepted: issue SEC-1\n/);
  assert.equal(jira.server.issues.length, 1);
});
