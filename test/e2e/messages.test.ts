// Issue 24 point 9: messages that say what is wrong and how to fix it, through the CLI against the real engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { BIN, defaultConfig } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const MIN = 60_000;

/** Runs an alertcron script file (an installed one) with node, as a shell would through its #! line. */
function runScript(script: string, args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(cwd, '.cache') } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An alert on `index` that notifies by email, with `extra` on top. */
function alertOn(index: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { index, condition: { type: 'any' }, notify: ['soc-email'], ...extra };
}

test('validate --cluster and run give the root cause of a query the cluster rejects, not only its outer reason', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('msg-rootcause');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('unbalanced', alertOn(index, { query: { query: { query_string: { query: 'winlog.event_data.TargetUserName:(root AND' } } } }));
  project.writeAlert('fuzzy', alertOn(index, { query: { query: { match: { 'host.name': { query: 'dc01', fuzziness: 'lots' } } } } }));
  project.writeAlert('painless', alertOn(index, { query: { query: { script: { script: "doc['no.such.field'].value > 1" } } } }));

  const validated = await project.run(['validate', '--cluster']);
  assert.equal(validated.code, 2, validated.stderr);
  const lines = validated.stderr.trim().split('\n');
  assert.match(lines.find((l) => l.startsWith('alerts/fuzzy.yaml:'))!, /the cluster rejects the query: Failed to parse \(caused by: Invalid fuzziness value: lots\)$/);
  assert.match(lines.find((l) => l.startsWith('alerts/unbalanced.yaml:'))!, /the cluster rejects the query: Failed to parse query \[.*\] \(caused by: Encountered "<EOF>" at line 1, column \d+\.\)$/);

  const ran = await project.run(['run', '--only', 'unbalanced', 'painless'], { ALERTCRON_NOW: iso(T) });
  assert.equal(ran.code, 3, ran.stderr);
  assert.match(ran.stderr, /alert painless: search failed: .*caused by illegal_argument_exception: No field found for \[no\.such\.field\] in mapping/);
  assert.match(ran.stderr, /alert unbalanced: search failed: .*caused by parse_exception: Encountered "<EOF>" at line 1, column \d+\./);
  assert.doesNotMatch(ran.stderr, /Was expecting/, 'each reason is one line');
});

test('a duration written as a number, as ElastAlert2 writes it, or in words is refused at its file:line with the form to write', async () => {
  const index = await world.index('msg-durations');
  const project = world.project();
  project.writeAlert('counted', [
    `index: ${index}`,
    'condition: { type: frequency, num_events: 3, timeframe: {minutes: 10} }',
    'throttle: 30',
    'lookback: 5 min',
    'notify: [soc-email]',
    '',
  ].join('\n'));
  project.writeAlert('flat', `index: ${index}\ncondition: { type: flatline, threshold: 1, timeframe: {hours: 1, minutes: 30} }\nnotify: [soc-email]\n`);
  const result = await project.run(['validate']);
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.ok(lines.includes("alerts/counted.yaml:2:57 /condition/timeframe: must be a duration (such as 30s, 5m, 1h30m): ElastAlert2's {minutes: 10} is written 10m here"), result.stderr);
  assert.ok(lines.includes('alerts/counted.yaml:3:11 /throttle: must be a duration (such as 30s, 5m, 1h30m): a bare number has no unit: write 30m for 30 minutes (30s for seconds, 30h for hours)'), result.stderr);
  assert.ok(lines.includes('alerts/counted.yaml:4:11 /lookback: must be a duration (such as 30s, 5m, 1h30m): write 5m'), result.stderr);
  assert.ok(lines.includes("alerts/flat.yaml:2:55 /condition/timeframe: must be a duration (such as 30s, 5m, 1h30m): ElastAlert2's {hours: 1, minutes: 30} is written 1h30m here"), result.stderr);
  assert.equal(lines.filter((l) => l.startsWith('alerts/')).length, 4, 'one message per place, not the schema\'s alternatives too');

  // The same in alertcron.yaml's defaults: every duration key goes through the one check.
  project.writeAlert('counted', alertOn(index));
  project.writeAlert('flat', alertOn(index));
  const file = join(project.dir, 'alertcron.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('first_lookback: 10m', 'first_lookback: 10'));
  const defaults = await project.run(['validate']);
  assert.equal(defaults.code, 2, defaults.stderr);
  assert.match(defaults.stderr, /^alertcron\.yaml:\d+:\d+ \/defaults\/first_lookback: must be a duration \(such as 30s, 5m, 1h30m\): a bare number has no unit: write 10m for 10 minutes/m);
});

test('a command-line duration in two words or without a unit is refused with the one word to write (exit 64)', async () => {
  const index = await world.index('msg-cli-durations');
  const project = world.project();
  project.writeAlert('admins', alertOn(index));
  const split = await project.run(['silence', 'add', 'admins', '--for', '5', 'min', '--comment', 'maintenance']);
  assert.equal(split.code, 64, split.stderr);
  assert.equal(split.stderr, 'alertcron: --for 5 min: a duration is one word, write 5m\n');
  const quoted = await project.run(['silence', 'add', 'admins', '--for', '2 hours', '--comment', 'maintenance']);
  assert.equal(quoted.code, 64, quoted.stderr);
  assert.equal(quoted.stderr, 'alertcron: --for "2 hours" is not a duration: write 2h\n');
  const bare = await project.run(['silence', 'add', 'admins', '--for', '30', '--comment', 'maintenance']);
  assert.equal(bare.code, 64, bare.stderr);
  assert.match(bare.stderr, /--for "30" is not a duration: a bare number has no unit: write 30m for 30 minutes/);
  const backtest = await project.run(['test', 'admins', '--backtest', '7', 'days']);
  assert.equal(backtest.code, 64, backtest.stderr);
  assert.equal(backtest.stderr, 'alertcron: --backtest 7 days: a duration is one word, write 7d\n');
  assert.equal(project.state()?.silences?.length ?? 0, 0, 'nothing was silenced');
});

test('ack of an alert that does not exist says so and names the alerts there are, as silence add does (exit 64)', async () => {
  const index = await world.index('msg-ack');
  const project = world.project();
  project.writeAlert('admins', alertOn(index));
  project.writeAlert('burst', alertOn(index));
  const ack = await project.run(['ack', 'admns']);
  assert.equal(ack.code, 64, ack.stderr);
  assert.equal(ack.stderr, 'alertcron: no alert named admns (alerts: admins, burst)\n');
  const silence = await project.run(['silence', 'add', 'admns', '--for', '1h', '--comment', 'x']);
  assert.equal(silence.code, 64, silence.stderr);
  assert.equal(silence.stderr, ack.stderr);
  const known = await project.run(['ack', 'admins']);
  assert.match(known.stderr, /alert admins has no firing key/, 'a known alert with nothing firing is told that instead');
});

test('a people file that is missing is reported at the alert\'s file:line that names it, on every run (parse cache too)', async () => {
  const index = await world.index('msg-people');
  const project = world.project();
  const config = { ...defaultConfig({ esUrl: world.esUrl }), channels: { 'soc-email': { type: 'email', host: '127.0.0.1', port: 9, from: 'a@test.local', to: ['soc@test.local'] }, 'soc-bot': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0123ABCDEF' } } };
  project.writeConfig(config);
  project.writeAlert('rdp', [
    `index: ${index}`,
    'condition: { type: any }',
    'group_by: winlog.event_data.TargetUserName',
    'notify: [soc-email]',
    'ask:',
    '  person: winlog.event_data.TargetUserName',
    '  people: peeple.yaml',
    '  via: soc-bot',
    '  question: "Was this you?"',
    '  two_factor: false',
    '',
  ].join('\n'));
  for (const attempt of ['first', 'cached']) {
    const result = await project.run(['validate'], { SLACK_BOT_TOKEN: 'xoxb-test' });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.split('\n')[0], 'alerts/rdp.yaml:7:11 /ask/people: ask.people file peeple.yaml does not exist (a path relative to the folder of alertcron.yaml)', attempt);
  }
  // Problems inside the file stay at the file's own lines.
  writeFileSync(join(project.dir, 'peeple.yaml'), 'alice: {email: not-an-address}\n');
  const inside = await project.run(['validate'], { SLACK_BOT_TOKEN: 'xoxb-test' });
  assert.equal(inside.code, 2, inside.stderr);
  assert.match(inside.stderr, /^peeple\.yaml:1:\d+ \/alice\/email: "not-an-address" is not an email address$/m);
});

test('an invalid Slack allowed_users entry says what a member id looks like and where to find it; a bad name is named, no raw regex', async () => {
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl }) as { channels: Record<string, unknown> };
  config.channels['ops-app'] = { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0123ABCDEF', allowed_users: ['alice', 'U0ALICE01'], reactions: { 'Ack!': 'x' } };
  config.channels['hook'] = { type: 'webhook', url: 'https://hooks.test.local/x', headers: { 'X Api Key': 'v' } };
  project.writeConfig(config);
  const result = await project.run(['validate'], { SLACK_BOT_TOKEN: 'xoxb-test' });
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.ok(lines.some((l) => /^alertcron\.yaml:\d+:\d+ \/channels\/ops-app\/allowed_users\/0: must be a Slack member id: U or W, then capital letters and digits, e\.g\. U0123ABCD \(in Slack: the person's profile, the ⋮ menu, Copy member ID\)$/.test(l)), result.stderr);
  assert.ok(lines.some((l) => /^alertcron\.yaml:\d+:\d+ \/channels\/ops-app\/reactions\/Ack!: the name "Ack!" must be an action name in lower case, e\.g\. ack, silence, promote, ignore$/.test(l)), result.stderr);
  assert.ok(lines.some((l) => /^alertcron\.yaml:\d+:\d+ \/channels\/hook\/headers\/X Api Key: the name "X Api Key" must be a header name: letters, digits and - \(e\.g\. X-Api-Key\)$/.test(l)), result.stderr);
  assert.doesNotMatch(result.stderr, /\^|\$|must be valid|text matching/, 'no pattern and no empty wording');
  assert.equal(lines.length, 4, result.stderr);
});

test('validate shows a key name with control characters and terminal escapes in its JSON pointer as one clean line', async () => {
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl }) as { channels: Record<string, unknown> };
  config.channels['hook'] = { type: 'webhook', url: 'https://hooks.test.local/x', headers: { 'X\u001b[31mRed\rKey\u0007': 'v' } };
  project.writeConfig(config);
  const result = await project.run(['validate']);
  assert.equal(result.code, 2, result.stderr);
  const line = result.stderr.split('\n').find((l) => l.includes('/channels/hook/headers/'));
  assert.match(line ?? '', /^alertcron\.yaml:\d+:\d+ \/channels\/hook\/headers\/XRed Key: the name "XRed Key" must be a header name/, result.stderr);
  assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f]/, 'no control character reaches the terminal');
});

test('state migrate sets state.backend and changes nothing else in alertcron.yaml: comments, blank lines, flow lists, alignment', { timeout: 120_000 }, async () => {
  const project = world.project();
  const stateIndex = `alertcron-state-msg-${Math.random().toString(36).slice(2, 8)}`;
  const written = [
    '# Our alerting: reviewed in git, see RUNBOOK.md',
    'elasticsearch:',
    `  url: ${world.esUrl}     # the production cluster`,
    '  timeout: 10s',
    '',
    'channels:',
    '  soc-email:                       # the SOC mailbox',
    '    type: email',
    '    host: 127.0.0.1',
    '    port: 9',
    '    from: alertcron@test.local',
    '    to: [soc@test.local]           # one address',
    '',
    'state:                             # alertcron\'s memory',
    '  # the file backend, until the second host is set up',
    '  file: state/state.json',
    `  index: ${stateIndex}`,
    '  host_id: host-a                  # per host',
    '  lock_wait: 15s',
    '',
  ].join('\n');
  writeFileSync(join(project.dir, 'alertcron.yaml'), written);
  try {
    const toCluster = await project.run(['state', 'migrate', '--to', 'cluster']);
    assert.equal(toCluster.code, 0, toCluster.stderr);
    const onCluster = readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8');
    assert.equal(onCluster, written.replace('  # the file backend', '  backend: cluster\n  # the file backend'), 'one line added, nothing else changed');
    const toFile = await project.run(['state', 'migrate', '--to', 'file']);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8'), onCluster.replace('backend: cluster', 'backend: file'), 'the value replaced in place');
  } finally {
    await fetch(`${world.esUrl}/${stateIndex}`, { method: 'DELETE' });
  }
});

test('state migrate with state.backend written as a block scalar (>-, |-) moves both ways and leaves a file that runs', { timeout: 120_000 }, async () => {
  const project = world.project();
  const stateIndex = `alertcron-state-blk-${Math.random().toString(36).slice(2, 8)}`;
  const configWith = (backend: string) => [
    'elasticsearch:',
    `  url: ${world.esUrl}`,
    'channels:',
    '  soc-email: {type: email, host: 127.0.0.1, port: 9, from: a@test.local, to: [soc@test.local]}',
    'state:',
    `  backend: ${backend}`,
    '  file: state/state.json',
    `  index: ${stateIndex}`,
    '  host_id: host-a',
    '',
  ].join('\n');
  const yaml = await import('yaml');
  try {
    writeFileSync(join(project.dir, 'alertcron.yaml'), configWith('>-\n    file'));
    const toCluster = await project.run(['state', 'migrate', '--to', 'cluster']);
    assert.equal(toCluster.code, 0, toCluster.stderr);
    assert.deepEqual(yaml.parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8')).state, { backend: 'cluster', file: 'state/state.json', index: stateIndex, host_id: 'host-a' });
    writeFileSync(join(project.dir, 'alertcron.yaml'), configWith('|-\n    cluster'));
    const toFile = await project.run(['state', 'migrate', '--to', 'file']);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.deepEqual(yaml.parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8')).state, { backend: 'file', file: 'state/state.json', index: stateIndex, host_id: 'host-a' });
    const run = await project.run(['run']);
    assert.equal(run.code, 0, run.stderr);
  } finally {
    await fetch(`${world.esUrl}/${stateIndex}`, { method: 'DELETE' });
  }
});

test('--help shows the crontab line init prints, with the PATH that finds this alertcron and node', async () => {
  const base = mkdtempSync(join(tmpdir(), 'alertcron-cronline-'));
  try {
    // Installed as npm installs it: a bin folder cron's PATH (/usr/bin:/bin) does not search.
    mkdirSync(join(base, 'bin'));
    symlinkSync(BIN, join(base, 'bin', 'alertcron'));
    const installed = join(base, 'bin', 'alertcron');
    const help = runScript(installed, ['--help'], base);
    assert.equal(help.code, 0, help.stderr);
    const init = runScript(installed, ['init', 'site'], base);
    assert.equal(init.code, 0, init.stderr);
    const initLine = /^ {7}(\* \* \* \* \* cd .* && .*alertcron run)$/m.exec(init.stdout)?.[1];
    assert.ok(initLine?.includes(`PATH=${join(base, 'bin')}:`), init.stdout);
    const helpLine = /^ {2}(\* \* \* \* \* cd \/srv\/alerts && .*alertcron run)$/m.exec(help.stdout)?.[1];
    assert.equal(helpLine, initLine!.replace(/cd \S+ &&/, 'cd /srv/alerts &&'), help.stdout);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('${VAR} in a value that is not a secret (state.host_id) is resolved; unset, its warning offers no *_file key it does not have', async () => {
  const index = await world.index('msg-hostid');
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl }) as { state: Record<string, unknown> };
  config.state = { ...config.state, host_id: '${ALERTCRON_HOST_ID}' };
  project.writeConfig(config);
  project.writeAlert('admins', alertOn(index));
  delete project.env.SLACK_WEBHOOK_URL;
  const unset = await project.run(['validate']);
  assert.equal(unset.code, 0, unset.stderr);
  assert.match(unset.stderr, /^alertcron\.yaml:\d+:\d+ \/state\/host_id: warning: environment variable ALERTCRON_HOST_ID is not set \(export it in the crontab\)$/m);
  assert.match(unset.stderr, /\/channels\/soc-slack\/webhook_url: warning: .* \(export it in the crontab or use a \*_file key\)$/m, 'a secret keeps its *_file advice');
  const run = await project.run(['run']);
  assert.equal(run.code, 2, 'a run does not start with a host_id left empty');
  const set = await project.run(['validate', '--strict'], { ALERTCRON_HOST_ID: 'alerts-1', SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/x' });
  assert.equal(set.code, 0, set.stderr);
});
