import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { filesUnder } from '../support/files.js';
import { REPO_ROOT, runCli } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder holding a copy of the ElastAlert2 fixtures (rules/ and config.yaml), the CLI's working folder. */
function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-'));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'elastalert'), dir, { recursive: true });
  return dir;
}

const LITERAL_SECRETS = ['Sup3rS3cret-es', 'XXXXXXXXXXXXXXXX', 'YYYYYYYYYYYYYYYY', 'soar-token-1234567890', 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', 'f1e2d3c4b5a69788twiliotoken4321'];

const VARIABLES = [
  'ELASTALERT_ES_PASSWORD',
  'ELASTALERT_EMAIL_1_USERNAME',
  'ELASTALERT_EMAIL_1_PASSWORD',
  'ELASTALERT_SLACK_1_WEBHOOK_URL',
  'ELASTALERT_WEBHOOK_1_HEADER_AUTHORIZATION',
  'ELASTALERT_TELEGRAM_1_BOT_TOKEN',
  'ELASTALERT_SMS_1_AUTH_TOKEN',
  'ELASTALERT_SLACK_2_WEBHOOK_URL',
];

test('import elastalert: a deployment\'s rules folder becomes alerts, queries and channels that validate; every option left out is named at file:line', async () => {
  const dir = fixtureCopy();
  const result = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  // One rule (a spike_aggregation of a sum) has no alertcron type: exit 2, named on stderr at its line.
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr, 'import: rules/bytes-spike.yaml:3: type: type spike_aggregation of sum has no alertcron rule type (alertcron\'s spike compares event counts, or a field\'s average: metric_agg_type avg): skipped\n');
  const out = result.stdout;
  assert.match(out, /^converted 10 rule\(s\) into out\/:$/m);
  assert.match(out, /^ {2}alerts\/ssh-brute-force\.yaml {2}<- rules\/auth\/ssh-brute-force\.yaml \(frequency\)$/m);
  assert.match(out, /^imported fragments \(read through the rules that import them\): rules\/base\/common\.yaml$/m);
  // The variables, each with where its value was written; no value printed.
  const listed = [...out.matchAll(/^ {2}(ELASTALERT_[A-Z0-9_]+) +the value of (\S+) at (\S+)$/gm)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(listed, [
    ['ELASTALERT_ES_PASSWORD', 'es_password', 'config.yaml:11'],
    // The SMTP login of config.yaml, shared by every email channel: one pair of variables.
    ['ELASTALERT_EMAIL_1_USERNAME', 'smtp_auth_file', 'config.yaml:19'],
    ['ELASTALERT_EMAIL_1_PASSWORD', 'smtp_auth_file', 'config.yaml:19'],
    ['ELASTALERT_SLACK_1_WEBHOOK_URL', 'slack_webhook_url', 'rules/auth/ssh-brute-force.yaml:31'],
    ['ELASTALERT_WEBHOOK_1_HEADER_AUTHORIZATION', 'http_post_headers', 'rules/error-spike.yaml:19'],
    ['ELASTALERT_TELEGRAM_1_BOT_TOKEN', 'telegram_bot_token', 'rules/heartbeat.yaml:20'],
    ['ELASTALERT_SMS_1_AUTH_TOKEN', 'twilio_auth_token', 'rules/many-users.yaml:13'],
    ['ELASTALERT_SLACK_2_WEBHOOK_URL', 'slack_webhook_url', 'rules/role-change.yaml:10'],
  ]);
  // Every option not converted, at its line (imports and config.yaml defaults point at their own files).
  const notes = [...out.matchAll(/^ {2}(\S+:\d+): (\S+): /gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  assert.deepEqual(notes, [
    'config.yaml:19 smtp_auth_file',
    'rules/auth/new-admin.yaml:18 cc',
    'rules/auth/ssh-brute-force.yaml:18 aggregation',
    'rules/auth/ssh-brute-force.yaml:32 slack_username_override',
    // The command alerter is a command channel now: its %(source.ip)s argument is left out, and the exit status counts;
    // ElastAlert2 never waited for it (no pipe_* option), alertcron does, up to the channel's timeout.
    'rules/bad-ips.yaml:12 command',
    'rules/bad-ips.yaml:12 fail_on_non_zero_exit',
    'rules/bad-ips.yaml:14 command',
    'rules/error-spike.yaml:21 http_post_payload',
    // ElastAlert2's default realert (1m) is shorter than the timeframe: a throttle is suggested.
    'rules/error-spike.yaml:4 timeframe',
    'rules/heartbeat.yaml:5 timeframe',
    'rules/heartbeat.yaml:8 forget_keys',
    'rules/many-users.yaml:3 use_strftime_index',
    'rules/slow-responses.yaml:8 bucket_interval',
  ]);
  assert.match(out, /rules\/bad-ips\.yaml:14: command: its %\(source\.ip\)s substitutions are left out: alertcron puts no log text in a command's arguments/);
  assert.match(out, /rules\/auth\/ssh-brute-force\.yaml:18: aggregation: without summary_table_fields ElastAlert2 sent every match's text in one message/);
  assert.match(out, /rules\/many-users\.yaml:3: use_strftime_index: the index logstash-%Y\.%m\.%d is searched as logstash-\*/);

  const files = filesUnder(join(dir, 'out'));
  for (const [file, text] of files) for (const secret of LITERAL_SECRETS) assert.ok(!text.includes(secret), `${file} holds the literal secret ${secret}`);
  for (const secret of LITERAL_SECRETS) assert.ok(!out.includes(secret), `the report shows ${secret}`);
  const read = (path: string) => readFileSync(join(dir, 'out', path), 'utf8');
  const alert = (name: string) => parse(read(`alerts/${name}.yaml`));
  const query = (name: string) => JSON.parse(read(`queries/${name}.json`));

  // frequency, through an import chain: the fragment's index and filter, the rule's own filter unwrapped from query:,
  // a compound query_key, realert as throttle, the subject and text with their args as templates.
  assert.deepEqual(alert('ssh-brute-force'), {
    description: 'Many failed logons from one address to one host',
    index: 'winlogbeat-*',
    query: 'ssh-brute-force.json',
    condition: { type: 'frequency', num_events: 5, timeframe: '5m' },
    group_by: ['host.name', 'source.ip'],
    throttle: '10m',
    // aggregation: {minutes: 5}, without summary_table_fields: the digest's columns default to group_by (noted).
    digest: { every: '5m' },
    notify: ['slack-1'],
    title: 'Brute force on {{host.name}} from {{source.ip}}',
    message: '{{count}} failed logons for {{user.name}}',
  });
  assert.deepEqual(query('ssh-brute-force'), { query: { bool: { filter: [{ term: { 'event.module': 'security' } }, { query_string: { query: 'event.code:4625 AND NOT user.name:healthcheck' } }] } } });
  // The legacy and / not / missing forms, rewritten into bool.
  assert.deepEqual(query('host-stopped-logging'), {
    query: {
      bool: {
        filter: [
          { bool: { filter: [{ term: { 'agent.type': 'filebeat' } }, { bool: { must_not: [{ term: { 'host.name': 'decommissioned-01' } }] } }] } },
          { bool: { must_not: [{ exists: { field: 'tags.maintenance' } }] } },
        ],
      },
    },
  });
  assert.deepEqual(alert('host-stopped-logging').condition, { type: 'flatline', threshold: 1, timeframe: '15m' });
  assert.equal(alert('host-stopped-logging').throttle, '1m', 'ElastAlert2\'s default realert is one minute');
  assert.deepEqual(query('error-spike'), { query: { bool: { filter: [{ bool: { should: [{ term: { 'log.level': 'error' } }, { term: { 'log.level': 'fatal' } }], minimum_should_match: 1 } }] } } });
  assert.deepEqual(alert('error-spike').condition, { type: 'spike', timeframe: '1h', spike_height: 3, spike_type: 'up', threshold_cur: 10 });
  assert.deepEqual(alert('new-admin-account-used').condition, { type: 'new_term', fields: ['user.name'], terms_window_size: '14d' });
  assert.equal(alert('new-admin-account-used').title, 'New admin {{user.name}}');
  assert.deepEqual(alert('many-users-from-one-address'), {
    description: 'Many users from one address',
    index: 'logstash-*',
    query: 'many-users-from-one-address.json',
    condition: { type: 'cardinality', cardinality_field: 'user.name', timeframe: '1h', max_cardinality: 10 },
    group_by: 'source.ip',
    throttle: '1m',
    notify: ['sms-1'],
  });
  // metric_aggregation over ElastAlert2's buffer_time, here the global one of config.yaml.
  assert.deepEqual(alert('slow-responses').condition, { type: 'metric_aggregation', metric_agg_key: 'http.response.time', metric_agg_type: 'avg', max_threshold: 2.5, timeframe: '15m' });
  assert.deepEqual(alert('known-bad-addresses').condition, { type: 'blacklist', compare_key: 'source.ip', blacklist: ['203.0.113.9', '198.51.100.7'] });
  assert.equal(alert('known-bad-addresses').throttle, '0s');
  assert.deepEqual(alert('role-changed').condition, { type: 'change', compare_key: 'user.role', timeframe: '1d', ignore_null: true });
  assert.deepEqual(alert('role-changed').notify, ['slack-1', 'slack-2'], 'the webhook the brute-force rule uses too is one channel');
  assert.deepEqual(alert('error-ratio').condition, { type: 'percentage_match', match_bucket_filter: [{ term: { 'log.level': 'error' } }], max_percentage: 5, min_denominator: 100, timeframe: '15m' });
  assert.equal(alert('logon-from-an-unexpected-country').enabled, false);

  const config = parse(read('alertcron.yaml'));
  assert.deepEqual(config.elasticsearch, { url: 'https://es.internal.example.org:9200', username: 'elastalert', password: '${ELASTALERT_ES_PASSWORD}', ca_file: '/etc/elastalert/ca.pem' });
  assert.deepEqual(config.defaults, { every: '1m' });
  const login = { username: '${ELASTALERT_EMAIL_1_USERNAME}', password: '${ELASTALERT_EMAIL_1_PASSWORD}' };
  assert.deepEqual(config.channels['email-1'], { type: 'email', host: 'smtp.example.org', port: 587, from: 'elastalert@example.org', to: ['soc@example.org', 'oncall@example.org', 'audit@example.org'], ...login });
  assert.deepEqual(config.channels['email-3'], { type: 'email', host: 'smtp.example.org', port: 587, from: 'elastalert@example.org', to: ['web@example.org'], ...login });
  assert.deepEqual(config.channels['webhook-1'], { type: 'webhook', url: 'https://soar.example.org/hooks/elastalert', headers: { Authorization: 'Bearer ${ELASTALERT_WEBHOOK_1_HEADER_AUTHORIZATION}' } });
  assert.deepEqual(config.channels['telegram-1'], { type: 'telegram', chat_id: -1001234567890, bot_token: '${ELASTALERT_TELEGRAM_1_BOT_TOKEN}' });
  assert.deepEqual(config.channels['sms-1'], { type: 'twilio-sms', account_sid: 'AC0123456789abcdef0123456789abcdef', from: '+15005550006', to: ['+15551234567'], auth_token: '${ELASTALERT_SMS_1_AUTH_TOKEN}' });
  // command and debug (ElastAlert2's log alerter) are command and log channels.
  assert.deepEqual(config.channels['command-1'], { type: 'command', command: ['/usr/local/bin/block'], stdin: 'json' });
  assert.deepEqual(config.channels['log-1'], { type: 'log' });
  assert.deepEqual(Object.keys(config.channels).sort(), ['command-1', 'email-1', 'email-2', 'email-3', 'log-1', 'slack-1', 'slack-2', 'sms-1', 'telegram-1', 'webhook-1']);

  // The converted folder validates: unset variables are warnings, and with all of them set, --strict passes too.
  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /^OK: 9 alert\(s\) valid, 1 disabled, 10 channel\(s\)/m);
  const env = Object.fromEntries(VARIABLES.map((v) => [v, v.includes('WEBHOOK_URL') ? 'https://hooks.slack.com/services/T9/B9/Z' : 'value-of-' + v]));
  // --strict passes but for the program of the command channel, which this host lacks (/usr/local/bin/block).
  const strict = await runCli(['validate', '--strict'], join(dir, 'out'), env);
  assert.equal(strict.code, 2, strict.stderr);
  assert.deepEqual(strict.stderr.split('\n').filter((line) => /^\S+:\d+:\d+ /.test(line)).map((line) => line.replace(/^\S+ /, '')), ['/channels/command-1/command/0: the program /usr/local/bin/block does not exist on this host: install it there, or fix the path']);

  // Again into the same folder: nothing is written over, each file is named as kept, an edit survives.
  writeFileSync(join(dir, 'out', 'alerts', 'error-spike.yaml'), 'edited by hand\n');
  const again = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stdout, /^converted 0 rule\(s\) into out\/:$/m);
  assert.match(again.stdout, /^ {2}out\/alertcron\.yaml$/m);
  assert.match(again.stdout, /^ {2}out\/alerts\/error-spike\.yaml$/m);
  assert.match(again.stdout, /^add these channels to the alertcron\.yaml that is there:$/m);
  assert.equal(readFileSync(join(dir, 'out', 'alerts', 'error-spike.yaml'), 'utf8'), 'edited by hand\n');
  // (validate's parse cache lives in .cache/ there, as runCli points XDG_CACHE_HOME at the working folder.)
  const written = (map: Map<string, string>) => [...map.keys()].filter((f) => !f.includes('/.cache/')).sort();
  assert.deepEqual(written(filesUnder(join(dir, 'out'))), written(files));
});

test('import elastalert: a template file, a broken import, a legacy type: filter and an EQL rule are named at file:line; the good rule is still converted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-bad-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const rule = (name: string, text: string) => writeFileSync(join(dir, 'rules', name), text);
  rule('templated.yaml', 'name: Templated\n{% set idx = "logs-*" %}\nindex: {{ idx }}\ntype: any\n');
  rule('missing-import.yaml', 'name: Missing import\nimport: shared/base.yaml\ntype: any\n');
  rule('circle-a.yaml', 'import: circle-b.yaml\nname: A\n');
  rule('circle-b.yaml', 'import: circle-a.yaml\nname: B\n');
  rule('old-filter.yaml', 'name: Old filter\nindex: logs-*\ntype: any\nfilter:\n  - term:\n      a: b\n  - type:\n      value: doc\nalert: [email]\nemail: a@example.org\n');
  rule('eql.yaml', 'name: EQL\nindex: logs-*\ntype: any\nfilter:\n  - eql: "process where process.name == \\"x\\""\nalert: [email]\nemail: a@example.org\n');
  rule('good.yaml', 'name: Good\nindex: logs-*\ntype: any\nowner: secops\nalert: [email]\nemail: a@example.org\n');
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 2);
  const errors = result.stderr.trim().split('\n').sort();
  assert.equal(errors.length, 6, result.stderr);
  assert.match(errors[0]!, /^import: rules\/circle-a\.yaml:1: import circle-b\.yaml: the imports go round in a circle \(rules\/circle-b\.yaml -> rules\/circle-a\.yaml -> rules\/circle-b\.yaml\)$/);
  assert.match(errors[1]!, /^import: rules\/circle-b\.yaml:1: import circle-a\.yaml: the imports go round in a circle \(rules\/circle-a\.yaml -> rules\/circle-b\.yaml -> rules\/circle-a\.yaml\)$/);
  assert.match(errors[2]!, /^import: rules\/eql\.yaml:5: filter: EQL queries cannot go into a search body: rewrite the rule as a query: skipped/);
  assert.match(errors[3]!, /^import: rules\/missing-import\.yaml:2: import shared\/base\.yaml: no such file next to rules\/missing-import\.yaml or in the rules folder$/);
  assert.match(errors[4]!, /^import: rules\/old-filter\.yaml:7: filter: a type: filter matches a mapping type/);
  assert.match(errors[5]!, /^import: rules\/templated\.yaml:2: not YAML ElastAlert2 can read either .*a template \(Jinja, placeholders\) must be rendered first$/);
  assert.match(result.stdout, /^ {2}alerts\/good\.yaml {2}<- rules\/good\.yaml \(any\)$/m);
  assert.match(result.stdout, /^ {2}rules\/good\.yaml:4: owner: not converted: no owner field: keep it in description$/m);
  assert.match(result.stdout, /^ {2}rules: es_host: no --config: elasticsearch\.url is http:\/\/localhost:9200, change it in alertcron\.yaml$/m);
  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stderr);
  // --json for tools: the same findings, every file now kept.
  const json = await runCli(['import', 'elastalert', 'rules', '--out', 'out', '--json'], dir);
  assert.equal(json.code, 2);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.converted, []);
  assert.deepEqual(report.kept, ['out/alertcron.yaml', 'out/queries/good.json', 'out/alerts/good.yaml']);
  assert.deepEqual(report.skipped.map((s: { where: string }) => s.where).sort(), ['rules/eql.yaml:5', 'rules/old-filter.yaml:7']);
  assert.equal(report.problems.length, 4);
  assert.deepEqual(report.notes.map((n: { where: string; option: string }) => `${n.where} ${n.option}`), ['rules es_host', 'rules/good.yaml:5 from_addr', 'rules/good.yaml:4 owner']);
});

test('import elastalert, then backtest: a converted frequency rule replayed against the engine sends what it would have', async () => {
  const DAY = 86_400_000;
  const MIN = 60_000;
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const S = T - DAY;
  const index = await world.index('ea-import');
  const at = (offset: number, user: string) => logonEvent(S + offset + 30_000, user, { code: '4625' });
  await indexDocs(world.esUrl, index, [
    // alice: 3 failures in 4 minutes at 01:10 (fires: first), 3 more at 01:40 (within realert 1h: throttled),
    // 3 more at 05:00 (repeat); bob: 2 failures, never 3 within 10 minutes.
    ...[0, 2, 4].map((m) => at(70 * MIN + m * MIN, 'alice')),
    ...[0, 2, 4].map((m) => at(100 * MIN + m * MIN, 'alice')),
    ...[0, 2, 4].map((m) => at(300 * MIN + m * MIN, 'alice')),
    at(600 * MIN, 'bob'),
    at(700 * MIN, 'bob'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-run-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const url = new URL(world.esUrl);
  writeFileSync(join(dir, 'config.yaml'), `rules_folder: rules\nrun_every:\n  minutes: 1\nbuffer_time:\n  minutes: 15\nes_host: ${url.hostname}\nes_port: ${url.port}\nwriteback_index: elastalert_status\nsmtp_host: 127.0.0.1\nsmtp_port: ${world.smtp.port}\nfrom_addr: elastalert@example.org\n`);
  writeFileSync(join(dir, 'rules', 'failures.yaml'), [
    'name: Failed logons',
    `index: ${index}`,
    'type: frequency',
    'num_events: 3',
    'timeframe:',
    '  minutes: 10',
    'query_key: winlog.event_data.TargetUserName',
    'realert:',
    '  hours: 1',
    'filter:',
    '  - term:',
    '      event.code: "4625"',
    'alert_subject: "Failed logons for {0}"',
    'alert_subject_args: [winlog.event_data.TargetUserName]',
    'alert: [email]',
    'email: soc@example.org',
    '',
  ].join('\n'));
  const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(imported.code, 0, imported.stderr);
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8'));
  // The test SMTP sink speaks plain SMTP.
  config.channels['email-1'].starttls = 'ignore';
  config.defaults.ingest_delay = '0s';
  writeFileSync(join(dir, 'out', 'alertcron.yaml'), JSON.stringify(config));
  const backtest = await runCli(['test', 'failed-logons', '--backtest', '1d', '--json'], join(dir, 'out'), { ALERTCRON_NOW: iso(T) });
  assert.equal(backtest.code, 0, backtest.stderr);
  const summary = JSON.parse(backtest.stdout);
  assert.equal(summary.steps, 1440);
  assert.equal(summary.requests, 2);
  assert.deepEqual(summary.byReason, { first: 1, repeat: 1 });
  assert.deepEqual(summary.byKey.map((k: { key: string; first: string; last: string }) => [k.key, k.first, k.last]), [['alice', iso(S + 75 * MIN), iso(S + 305 * MIN)]]);
  assert.equal(world.smtp.messages.length, 0);
});
