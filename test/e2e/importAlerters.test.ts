// import elastalert: the alerters of issue 26 (pagerduty v1/v2, opsgenie, ms_power_automate, the retired ms_teams,
// discord, mattermost, googlechat, jira with jira_account_file, alertmanager, command, debug) become channels of the
// agreed shapes, every literal secret a variable (never printed or written), every option without an equivalent a
// note at its file:line; a rule whose alerters name no destination is refused with the reason.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { filesUnder } from '../support/files.js';
import { REPO_ROOT, runCli } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary copy of the alerter fixtures (rules/), the CLI's working folder. */
function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-alerters-'));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'elastalert-alerters'), dir, { recursive: true });
  return dir;
}

/** The literal secrets of the fixture rules and account files: none may reach the output. */
const SECRETS = [
  '0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210', '8e3c1a2b-0000-4d4d-9f9f-abcdefabcdef',
  'WorkflowSig0123456789', 'contoso.webhook.office.com', 'DiscordToken0123456789', 'mmtoken0123456789abcdefgh', 'GchatKey0123',
  'GchatToken0123', 'JiraPassw0rdLiteral', 'JiraApiKeyLiteral0123', 'ea-bot', 'AmPassw0rdLiteral',
];

/** The report's notes as `file:line option` strings. */
function notesOf(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}(\S+:\d+): (\S+): (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
}

test('import elastalert: every alerter of issue 26 becomes a channel of the agreed shape; secrets are variables; what does not carry over is a note at its line', async () => {
  const dir = fixtureCopy();
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  // The rule whose alerters name no destination is refused (exit 2), the others are converted.
  assert.equal(result.code, 2, result.stderr + result.stdout);
  assert.match(result.stderr, /^import: rules\/no-destination\.yaml:7: alert: none of its alerters has an alertcron channel it converts to .*no destination/m);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8')) as { channels: Record<string, Record<string, unknown>> };
  const v = (name: string) => `\${ELASTALERT_${name}}`;
  assert.deepEqual(config.channels, {
    'alertmanager-1': {
      type: 'alertmanager', urls: ['http://alertmanager-1:9093', 'http://alertmanager-2:9093'],
      labels: { severity: 'warning', host: '{{fields.host.name}}', mount: '{{fields.system.filesystem.mount_point}}', pct: '{{fields.system.filesystem.used.pct}}', elastalert_rule: 'Disk alerts' },
      annotations: { runbook: 'https://wiki.example.org/disk', title: '{{title}}', description: '{{message}}' },
      resolve_timeout: '30m', timeout: '5s', username: 'elastalert', password: v('ALERTMANAGER_1_PASSWORD'),
    },
    'discord-1': { type: 'discord', color: 0xff0000, webhook_url: v('DISCORD_1_WEBHOOK_URL') },
    'mattermost-1': { type: 'mattermost', username: 'elastalert', color: '#daa038', channel: 'security', webhook_url: v('MATTERMOST_1_WEBHOOK_URL') },
    'google-chat-1': { type: 'google-chat', format: 'card', webhook_url: v('GOOGLE_CHAT_1_WEBHOOK_URL') },
    'jira-1': { type: 'jira', url: 'https://jira.example.org', project: 'OPS', issue_type: 'Bug', token: v('JIRA_1_TOKEN') },
    'command-1': { type: 'command', command: ['/bin/sh', '-c', '/usr/bin/logger -t elastalert  >> /var/log/ea.log'], stdin: 'text' },
    'command-2': { type: 'command', command: ['/usr/local/bin/page-oncall', '--team', 'soc', '--host'], stdin: 'json' },
    'log-1': { type: 'log' },
    'jira-2': {
      type: 'jira', url: 'https://jira.example.org', project: 'SEC', issue_type: 'Task', components: ['SOC'], labels: ['elastalert', 'siem'],
      description: 'Raised by the SIEM.\n{{message}}', assignee: 'jdoe', watchers: ['alice'], transition_to: 'In Progress',
      username: v('JIRA_2_USERNAME'), password: v('JIRA_2_PASSWORD'),
    },
    'opsgenie-1': {
      type: 'opsgenie', region: 'eu', message: 'Admin login on {{fields.host.name}}', description: 'User {{fields.user}} from {{fields.source}}',
      entity: '{{fields.hostname}}', source: 'siem', priority: 'P2', users: ['oncall@example.org'], teams: ['SOC'], tags: ['admin', 'host-{{fields.hostname}}', 'ElastAlert', 'Admin logins Opsgenie'],
      details: { 'Source IP': '{{fields.source.ip}}', Runbook: 'https://wiki.example.org/admin-login' }, api_key: v('OPSGENIE_1_API_KEY'),
    },
    'pagerduty-1': { type: 'pagerduty', severity: 'critical', client: 'ElastAlert', routing_key: v('PAGERDUTY_1_ROUTING_KEY') },
    'pagerduty-2': {
      type: 'pagerduty', severity: 'error', source: '{{fields.host.name}}', component: '{{fields.process.name}} on {{alert}}', group: 'endpoints',
      client: 'ElastAlert SOC', custom_details: { file: '{{fields.file.path}}', user: '{{fields.user.name}}' }, routing_key: v('PAGERDUTY_2_ROUTING_KEY'),
    },
    'teams-1': { type: 'teams', facts: ['host.name', 'service.name'], full_width: true, webhook_url: v('TEAMS_1_WEBHOOK_URL') },
    'teams-2': { type: 'teams', webhook_url: v('TEAMS_2_WEBHOOK_URL') },
  });
  // Each alert notifies its own channels.
  const notify = (file: string) => (parse(readFileSync(join(dir, 'out', 'alerts', file), 'utf8')) as { notify: string[] }).notify;
  assert.deepEqual(notify('command-alerts.yaml'), ['command-2', 'log-1']);
  assert.deepEqual(notify('teams-alerts.yaml'), ['teams-1', 'teams-2']);
  assert.deepEqual(notify('chat-alerts.yaml'), ['discord-1', 'mattermost-1', 'google-chat-1']);

  // The variables, each named with where its value was; the account files' credentials by their option's line.
  const listed = [...result.stdout.matchAll(/^ {2}(ELASTALERT_[A-Z0-9_]+) +the value of (\S+) at (\S+)$/gm)].map((m) => `${m[1]} ${m[3]}`);
  assert.deepEqual(listed, [
    'ELASTALERT_ALERTMANAGER_1_PASSWORD rules/alertmanager.yaml:28', 'ELASTALERT_DISCORD_1_WEBHOOK_URL rules/chat.yaml:11',
    'ELASTALERT_MATTERMOST_1_WEBHOOK_URL rules/chat.yaml:14', 'ELASTALERT_GOOGLE_CHAT_1_WEBHOOK_URL rules/chat.yaml:19',
    'ELASTALERT_JIRA_1_TOKEN rules/cloud/jira-token.yaml:12', 'ELASTALERT_JIRA_2_USERNAME rules/jira.yaml:24', 'ELASTALERT_JIRA_2_PASSWORD rules/jira.yaml:24',
    'ELASTALERT_OPSGENIE_1_API_KEY rules/opsgenie.yaml:9', 'ELASTALERT_PAGERDUTY_1_ROUTING_KEY rules/pagerduty-v1.yaml:13',
    'ELASTALERT_PAGERDUTY_2_ROUTING_KEY rules/pagerduty-v2.yaml:9', 'ELASTALERT_TEAMS_1_WEBHOOK_URL rules/teams.yaml:10', 'ELASTALERT_TEAMS_2_WEBHOOK_URL rules/teams.yaml:18',
  ]);
  for (const secret of SECRETS) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `the report shows ${secret}`);
    for (const [file, text] of filesUnder(join(dir, 'out'))) assert.ok(!text.includes(secret), `${file} holds ${secret}`);
  }

  const notes = notesOf(result.stdout);
  for (const expected of [
    'rules/pagerduty-v1.yaml:12 pagerduty_api_version', 'rules/pagerduty-v1.yaml:15 pagerduty_incident_key',
    'rules/pagerduty-v2.yaml:25 pagerduty_proxy', 'rules/opsgenie.yaml:18 opsgenie_recipients', 'rules/opsgenie.yaml:33 opsgenie_alias',
    'rules/teams.yaml:18 ms_teams_webhook_url', 'rules/teams.yaml:19 ms_teams_theme_color', 'rules/teams.yaml:17 ms_power_automate_summary_text_size',
    'rules/chat.yaml:13 discord_emoji_title', 'rules/chat.yaml:18 mattermost_msg_pretext', 'rules/chat.yaml:21 googlechat_header_title',
    'rules/jira.yaml:21 jira_priority', 'rules/jira.yaml:22 jira_bump_tickets', 'rules/jira.yaml:25 jira_customfield_10001', 'rules/jira.yaml:24 jira_account_file',
    'rules/alertmanager.yaml:13 alertmanager_api_version', 'rules/alertmanager.yaml:14 alertmanager_alertname', 'rules/alertmanager.yaml:15 alertmanager_labels',
    'rules/command.yaml:10 command', 'rules/command.yaml:11 pipe_match_json', 'rules/command.yaml:8 fail_on_non_zero_exit', 'rules/command-string.yaml:8 command',
    'rules/no-destination.yaml:8 pagerduty_service_key', 'rules/no-destination.yaml:9 mattermost_webhook_url',
  ]) assert.ok(notes.includes(expected), `no note ${expected} in\n${notes.join('\n')}`);
  assert.match(result.stdout, /rules\/pagerduty-v1\.yaml:12: pagerduty_api_version: PagerDuty retired the Events API v1: converted to Events API v2/);
  assert.match(result.stdout, /rules\/teams\.yaml:18: ms_teams_webhook_url: Microsoft retired the Office 365 connectors .* set the variable to its URL; the old URL is not written/);
  assert.match(result.stdout, /rules\/command\.yaml:10: command: its %\(host\.name\)s substitutions are left out: .* JSON on stdin/);
  // Every option of the fixtures is either converted or noted: none is reported as unknown to alertcron.
  assert.doesNotMatch(result.stdout, /alertcron has no such option/);
});

/** A temporary folder with one rule file, rules/r.yaml, of this text: the CLI's working folder. */
function oneRule(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-alerters-one-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'r.yaml'), text);
  return dir;
}

const RULE = 'name: SSH brute force\ntype: any\nindex: x-*\nfilter:\n- term: {a: b}\n';

test('import elastalert: a pagerduty alerter that resolves or acknowledges is refused with the reason, never written as a trigger channel', async () => {
  for (const event of ['resolve', 'acknowledge']) {
    const dir = oneRule(`${RULE}alert: pagerduty\npagerduty_service_key: "0123456789abcdef0123456789abcdef"\npagerduty_event_type: ${event}\npagerduty_client_name: x\n`);
    const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
    assert.equal(result.code, 2, result.stderr + result.stdout);
    assert.match(result.stderr, /^import: rules\/r\.yaml:\d+: alert: none of its alerters has an alertcron channel/m);
    assert.match(result.stdout, new RegExp(`rules/r\\.yaml:\\d+: pagerduty_event_type: the pagerduty alerter sends "?${event}"? events, .*resolve_after`));
    let written = '';
    try {
      written = readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8');
    } catch { /* nothing converted, nothing written */ }
    assert.doesNotMatch(written, /pagerduty/);
  }
});

test('import elastalert: a user:password@ in an Alertmanager host or a Jira server becomes the username and a password variable, never a URL', async () => {
  const dir = oneRule(`${RULE}alert: [alertmanager, jira]\nalertmanager_hosts: ["https://amuser:S3cretAm1@am:9093"]\nalertmanager_basic_auth_password: Unused0Pass\n`
    + 'jira_server: "https://ju:S3cretJira1@jira.example.org/"\njira_project: OPS\njira_issuetype: Bug\n');
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const text = readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8');
  const config = parse(text) as { channels: Record<string, Record<string, unknown>> };
  assert.deepEqual(config.channels['alertmanager-1'], { type: 'alertmanager', urls: ['https://am:9093'], labels: { elastalert_rule: 'SSH brute force' }, username: 'amuser', password: '${ELASTALERT_ALERTMANAGER_1_PASSWORD}' });
  assert.deepEqual(config.channels['jira-1'], { type: 'jira', url: 'https://jira.example.org', project: 'OPS', issue_type: 'Bug', username: 'ju', password: '${ELASTALERT_JIRA_1_PASSWORD}' });
  for (const secret of ['S3cretAm1', 'S3cretJira1', 'Unused0Pass']) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `the report shows ${secret}`);
    for (const [file, written] of filesUnder(join(dir, 'out'))) assert.ok(!written.includes(secret), `${file} holds ${secret}`);
  }
  assert.match(result.stdout, /rules\/r\.yaml:\d+: alertmanager_hosts: its user:password@ part is taken out of the URL/);
  assert.match(result.stdout, /rules\/r\.yaml:\d+: jira_server: its user:password@ part is taken out of the URL/);
  assert.match(result.stdout, /rules\/r\.yaml:\d+: alertmanager_basic_auth_password: not converted: there is no alertmanager_basic_auth_login/);
});

test('import elastalert: the labels and tags ElastAlert2 always sent (elastalert_rule; ElastAlert and the rule\'s name) are kept, a changed alertname is noted', async () => {
  const dir = oneRule(`${RULE}alert: [alertmanager, opsgenie]\nalertmanager_hosts: [http://am:9093]\nopsgenie_key: "0123456789abcdef0123456789abcdef"\n`);
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8')) as { channels: Record<string, Record<string, unknown>> };
  assert.deepEqual(config.channels['alertmanager-1']?.labels, { elastalert_rule: 'SSH brute force' });
  assert.deepEqual(config.channels['opsgenie-1']?.tags, ['ElastAlert', 'SSH brute force']);
  assert.equal(config.channels['opsgenie-1']?.source, 'ElastAlert');
  assert.match(result.stdout, /rules\/r\.yaml:\d+: alertmanager_alertname: the alertname label is the alert's name \(its file name\), no longer the rule's name "?SSH brute force"?/);
});

test('import elastalert: a command\'s {field} and {match[field]} substitutions are left out like %(field)s, %% is %, and a command ElastAlert2 never waited for is noted', async () => {
  const dir = oneRule(`${RULE}alert: command\ncommand: ["/usr/bin/notify", "--host", "{match[host.name]}", "--user={user}", "at 100%%", "%(message)s"]\n`);
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8')) as { channels: Record<string, Record<string, unknown>> };
  assert.deepEqual(config.channels['command-1']?.command, ['/usr/bin/notify', '--host', '--user=', 'at 100%']);
  assert.match(result.stdout, /rules\/r\.yaml:\d+: command: its "?\{match\[host\.name\]\} \{user\} %\(message\)s"? substitutions are left out/);
  assert.match(result.stdout, /rules\/r\.yaml:\d+: command: ElastAlert2 started this command without waiting for it .* killed and retried/);
});

test('import elastalert: the converted alerters validate with their variables set', async () => {
  const dir = fixtureCopy();
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 2, result.stderr);
  const variables = [...result.stdout.matchAll(/^ {2}(ELASTALERT_[A-Z0-9_]+) /gm)].map((m) => m[1]!);
  const env = Object.fromEntries(variables.map((name) => [name, name.endsWith('WEBHOOK_URL') ? webhookFor(name) : 'set-in-test']));
  const validate = await runCli(['validate'], join(dir, 'out'), env);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  // With every variable set, --strict fails only on the programs the command channels run, which this host lacks.
  const strict = await runCli(['validate', '--strict'], join(dir, 'out'), env);
  const problems = strict.stderr.split('\n').filter((line) => /^\S+:\d+:\d+ /.test(line));
  assert.ok(problems.length > 0 && problems.every((line) => /\/channels\/command-\d+\/command\/0: the program \S+ does not exist on this host/.test(line)), strict.stderr);
});

/** A webhook URL of the right service for a variable (the channels check their URL's host). */
function webhookFor(variable: string): string {
  if (variable.includes('TEAMS')) return 'https://prod-1.westeurope.logic.azure.com/workflows/w/triggers/manual/paths/invoke?sig=s';
  if (variable.includes('DISCORD')) return 'https://discord.com/api/webhooks/1/t';
  if (variable.includes('GOOGLE_CHAT')) return 'https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t';
  return 'https://mattermost.example.org/hooks/abc';
}

test('import elastalert: a generated secret of any new alerter is never printed or written, only its variable', async () => {
  const ALERTERS: Record<string, (secret: string) => string> = {
    pagerduty: (s) => `pagerduty_service_key: "${s}"\npagerduty_client_name: x\n`,
    opsgenie: (s) => `opsgenie_key: "${s}"\n`,
    ms_power_automate: (s) => `ms_power_automate_webhook_url: "https://prod-1.logic.azure.com/workflows/w?sig=${s}"\n`,
    discord: (s) => `discord_webhook_url: "https://discord.com/api/webhooks/1/${s}"\n`,
    mattermost: (s) => `mattermost_webhook_url: "https://mm.example.org/hooks/${s}"\n`,
    googlechat: (s) => `googlechat_webhook_url: "https://chat.googleapis.com/v1/spaces/S/messages?token=${s}"\n`,
    alertmanager: (s) => `alertmanager_hosts: [http://am:9093]\nalertmanager_basic_auth_login: u\nalertmanager_basic_auth_password: "${s}"\n`,
    // A credential in a URL (the alerter's name is the key's first word).
    'alertmanager in-url': (s) => `alertmanager_hosts: ["https://amuser:${s}@am:9093", "https://amuser:${s}@am2:9093/"]\n`,
    'jira in-url': (s) => `jira_server: "https://u:${s}@jira.example.org"\njira_project: OPS\njira_issuetype: Bug\n`,
  };
  await checkProperty('import: new alerters\' secrets stay variables', fc.asyncProperty(
    fc.constantFrom(...Object.keys(ALERTERS)),
    fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).filter((s) => /\d/.test(s) && /[A-Za-z]/.test(s)),
    async (alerter, secret) => {
      const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-alerters-prop-'));
      dirs.push(dir);
      const rules = join(dir, 'rules');
      mkdirSync(rules);
      writeFileSync(join(rules, 'r.yaml'), `name: Generated\ntype: any\nindex: x-*\nfilter:\n- term: {a: b}\nalert: ${alerter.split(' ')[0]}\n${ALERTERS[alerter]!(secret)}`);
      const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'the report shows the secret');
      const written = [...filesUnder(join(dir, 'out'))];
      for (const [file, text] of written) assert.ok(!text.includes(secret), `${file} holds the secret`);
      assert.match(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8'), /\$\{ELASTALERT_[A-Z_]+_1_(ROUTING_KEY|API_KEY|WEBHOOK_URL|PASSWORD)\}/);
    },
  ), 15);
});

/** Every option the new alerter converters read, per alerter. */
const OPTIONS: Record<string, string[]> = {
  pagerduty: ['pagerduty_service_key', 'pagerduty_client_name', 'pagerduty_api_version', 'pagerduty_v2_payload_severity', 'pagerduty_v2_payload_source', 'pagerduty_v2_payload_source_args', 'pagerduty_v2_payload_custom_details', 'pagerduty_incident_key', 'pagerduty_event_type'],
  opsgenie: ['opsgenie_key', 'opsgenie_addr', 'opsgenie_message', 'opsgenie_subject', 'opsgenie_subject_args', 'opsgenie_priority', 'opsgenie_recipients', 'opsgenie_recipients_args', 'opsgenie_teams', 'opsgenie_tags', 'opsgenie_details', 'opsgenie_entity'],
  ms_power_automate: ['ms_power_automate_webhook_url', 'ms_power_automate_alert_facts', 'ms_power_automate_teams_card_width_full'],
  ms_teams: ['ms_teams_webhook_url', 'ms_teams_alert_facts', 'ms_teams_theme_color'],
  discord: ['discord_webhook_url', 'discord_embed_color', 'discord_emoji_title'],
  mattermost: ['mattermost_webhook_url', 'mattermost_channel_override', 'mattermost_msg_color', 'mattermost_username_override', 'mattermost_icon_url_override'],
  googlechat: ['googlechat_webhook_url', 'googlechat_format'],
  jira: ['jira_server', 'jira_project', 'jira_issuetype', 'jira_components', 'jira_labels', 'jira_description', 'jira_watchers', 'jira_account_file', 'jira_priority'],
  alertmanager: ['alertmanager_hosts', 'alertmanager_labels', 'alertmanager_annotations', 'alertmanager_fields', 'alertmanager_resolve_time', 'alertmanager_basic_auth_login', 'alertmanager_basic_auth_password', 'alertmanager_timeout'],
  command: ['command', 'pipe_match_json', 'pipe_alert_text'],
};

test('import elastalert: any value of any new alerter option is converted or named at its line, never an internal error', async () => {
  const value = fc.oneof(
    fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('{0} {host} %(a.b)s {{ x }}'),
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.dictionary(fc.constantFrom('field', 'x'), fc.string({ maxLength: 8 }), { maxKeys: 1 })), { maxKeys: 3 }),
  );
  const { stringify } = await import('yaml');
  await checkProperty('import: new alerters take any option value', fc.asyncProperty(
    fc.constantFrom(...Object.keys(OPTIONS)).chain((alerter) => fc.tuple(fc.constant(alerter), fc.dictionary(fc.constantFrom(...OPTIONS[alerter]!), value, { maxKeys: 6 }))),
    async ([alerter, options]) => {
      const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-alerters-any-'));
      dirs.push(dir);
      mkdirSync(join(dir, 'rules'));
      writeFileSync(join(dir, 'rules', 'r.yaml'), stringify({ name: 'Generated', type: 'any', index: 'x-*', filter: [{ term: { a: 'b' } }], alert: [alerter], ...options }));
      const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
      assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /internal error|TypeError|at .*\.js:\d+/);
      // Converted, or refused with the reason at the rule's alert: line.
      if (result.code === 2) assert.match(result.stderr, /^import: rules\/r\.yaml:\d+: alert: none of its alerters has an alertcron channel it converts to/m);
    },
  ), 25);
});
