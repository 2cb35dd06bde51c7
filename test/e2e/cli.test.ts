import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

async function oneAlertProject() {
  const index = await world.index('auth-cli');
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'count', gte: 1 }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email', 'soc-slack'], title: 'Admin {{key}}' });
  return { index, project };
}

test('test <alert> shows the request, findings and decisions, and touches neither state nor channels', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await oneAlertProject();
  // Inside the minute a run searches: test evaluates that window (--from/--to only widen its hit summary).
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  const result = await project.run(['test', 'admins', '--from', iso(T - 5 * MIN), '--to', iso(T)], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^request: POST /${index}/_search$`, 'm'));
  assert.match(result.stdout, /"alertcron_groups"/);
  assert.match(result.stdout, /key "root" count 1: NOTIFY \(first/);
  assert.match(result.stdout, /title: Admin root/);
  assert.match(result.stdout, /nothing sent, state untouched/);
  assert.equal(project.state(), undefined);
  assert.equal(world.smtp.messages.length + world.slack.requests.length, 0);

  const dry = await project.run(['run', '--dry-run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /admins \[.*\): 1 finding\(s\)/);
  assert.equal(project.state(), undefined, 'dry run writes no state');
  assert.equal(world.smtp.messages.length + world.slack.requests.length, 0, 'dry run sends nothing');

  const sent = await project.run(['test', 'admins', '--from', '5m', '--send'], { ALERTCRON_NOW: iso(T) });
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(world.smtp.messages.length, 1);
  assert.equal(project.state().alerts.admins.keys.root.fired, 1);
  assert.equal(project.state().alerts.admins.window, undefined, 'test --send does not move the run window');

  const unknown = await project.run(['test', 'nope']);
  assert.equal(unknown.code, 64);
  assert.equal(unknown.stderr, 'alertcron: no alert named nope (alerts: admins)\n');
});

test('a run that finds the lock held waits briefly, then exits 5 with one line', async () => {
  const T = uniqueBaseTime();
  const { index, project } = await oneAlertProject();
  project.writeConfig({ ...JSON.parse(JSON.stringify(projectConfig(project.dir))), state: { lock_wait: '1s' } });
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  world.slack.behaviour = 'hang';
  const holder = project.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  await world.slack.nextRequest();
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(second.code, 5);
  assert.match(second.stderr, /^alertcron: another alertcron run holds the lock on .*state\.json; this run did nothing\n$/);
  holder.kill('SIGKILL');
  world.slack.behaviour = 'ok';
});

test('validate prints every problem and exits 2; list shows the alerts; --help documents the exit codes', async () => {
  const { project } = await oneAlertProject();
  project.writeAlert('broken', 'index: x\ncondition: { type: count }\nnotify: [nowhere]\n');
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2);
  assert.equal(validate.stderr, [
    'alerts/broken.yaml:2:12 /condition: needs at least one of gt, gte, lt, lte',
    'alerts/broken.yaml:3:10 /notify/0: unknown channel "nowhere" (configured: soc-email, soc-slack)',
    '2 problem(s) in 1 file(s); 1 alert(s) valid, 0 disabled, 2 channel(s)',
    '',
  ].join('\n'));
  const list = await project.run(['list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^admins {2}every 1m {2}count by winlog\.event_data\.TargetUserName {2}throttle 30m {2}-> soc-email, soc-slack {2}\(never run\)$/m);
  assert.match(list.stdout, /^alerts\/broken\.yaml {2}\(INVALID: run alertcron validate\)$/m);
  const help = await project.run(['run', '--help']);
  assert.match(help.stdout, /5 {2}another run holds the lock/);
  const usage = await project.run(['frobnicate']);
  assert.equal(usage.code, 64);
});

function projectConfig(dir: string): Record<string, unknown> {
  void dir;
  return {
    elasticsearch: { url: world.esUrl },
    channels: {
      'soc-email': { type: 'email', host: '127.0.0.1', port: world.smtp.port, starttls: 'ignore', from: 'alertcron@test.local', to: ['soc@test.local'] },
      'soc-slack': { type: 'slack', webhook_url: '${SLACK_WEBHOOK_URL}', timeout: '30s' },
    },
  };
}

test('the parse cache never hides an edit, and problems found on a cache hit keep their exact position', async () => {
  const { project } = await oneAlertProject();
  const first = await project.run(['validate']);
  assert.equal(first.code, 0, first.stderr);
  const cacheDir = join(project.dir, '.cache', 'alertcron');
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, 1, 'the parsed files were cached');

  const alertFile = join(project.dir, 'alerts', 'admins.yaml');
  writeFileSync(alertFile, readFileSync(alertFile, 'utf8').replace('gte: 1', 'gte: 1\n  tresh: 2'));
  const edited = await project.run(['validate']);
  assert.equal(edited.code, 2);
  assert.match(edited.stderr, /^alerts\/admins\.yaml:\d+:3 \/condition\/tresh: unknown key "tresh"/m);

  writeFileSync(alertFile, readFileSync(alertFile, 'utf8').replace('\n  tresh: 2', ''));
  assert.equal((await project.run(['validate'])).code, 0, 'config and alerts are cached again');
  delete project.env.SLACK_WEBHOOK_URL;
  const result = await project.run(['validate', '--strict']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/soc-slack\/webhook_url: environment variable SLACK_WEBHOOK_URL is not set/m);
});

/** The start-up bundle's chunks and the hash each one's code cache is named by (written by the build). */
const BUILD = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle', 'build.json'), 'utf8')) as { files: Record<string, string> };

/** The code caches in a folder, by command: each named <command>-<chunk>-<the chunk's build hash>-<node version>.crc.bin. */
function codeCaches(codeDir: string): Map<string, Map<string, string>> {
  const byCommand = new Map<string, Map<string, string>>();
  for (const name of readdirSync(codeDir)) {
    const match = /^([a-z]+)-(.+)-([0-9a-f]{32})-(v[\d.]+)\.crc\.bin$/.exec(name);
    assert.ok(match, `${name} is a code cache named by command, chunk, build, node version and format`);
    const [, command, chunk, hash, version] = match;
    assert.equal(BUILD.files[`${chunk}.cjs`], hash, `${name}: the hash of dist/bundle/${chunk}.cjs in this build`);
    assert.equal(version, process.version);
    if (!byCommand.has(command!)) byCommand.set(command!, new Map());
    byCommand.get(command!)!.set(chunk!, name);
  }
  return byCommand;
}

test('the code cache: one per command, chunk and build, a damaged one is replaced, none with ALERTCRON_CACHE=off; every chunk loads from it', async () => {
  const { index, project } = await oneAlertProject();
  const codeDir = join(project.dir, '.cache', 'alertcron', 'code');
  const chunksOf = (command: string) => [...(codeCaches(codeDir).get(command)?.keys() ?? [])].sort();
  // An email channel to a dotted local part, which only the whole nodemailer sends (see below).
  writeFileSync(join(project.dir, 'alertcron.yaml'), readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8').replace(/^channels:\n/m, `channels:\n  soc-dotted: { type: email, host: 127.0.0.1, port: ${world.smtp.port}, starttls: ignore, from: alertcron@test.local, to: [soc..team@test.local] }\n`));
  // A digest on a cron schedule: checking it loads cron-parser.
  project.writeAlert('nightly', { index, condition: { type: 'any' }, notify: ['soc-email'], title: 'Nightly', digest: { schedule: '0 9 * * 1-5', channels: ['soc-email'] } });
  assert.equal((await project.run(['validate'])).code, 0);
  const validate = chunksOf('validate');
  for (const chunk of ['cli', 'validators-alert', 'validators-alertcron', 'vendor-cron-parser']) assert.ok(validate.includes(chunk), `validate loaded ${chunk}: ${validate}`);
  assert.ok(!validate.includes('sigma') && !validate.includes('importer'), 'no Sigma alert, no import: neither chunk is loaded');
  const written = new Map(validate.map((chunk) => [chunk, statSync(join(codeDir, codeCaches(codeDir).get('validate')!.get(chunk)!)).mtimeMs]));
  assert.equal((await project.run(['validate'])).code, 0);
  for (const [chunk, mtime] of written) assert.equal(statSync(join(codeDir, codeCaches(codeDir).get('validate')!.get(chunk)!)).mtimeMs, mtime, `a cache V8 accepted is not written again (${chunk})`);

  // A typo is not a command of its own: it gets the shared cache of everything else.
  assert.equal((await project.run(['rnu'])).code, 64);
  // Commands that load packages on demand (yaml to parse the alert again, nodemailer to send a mail, the Sigma
  // compiler and the importer) work from the cache too.
  writeFileSync(join(project.dir, 'alerts', 'admins.yaml'), readFileSync(join(project.dir, 'alerts', 'admins.yaml'), 'utf8') + '\n');
  assert.equal((await project.run(['validate'])).code, 0);
  assert.equal((await project.run(['list'])).code, 0);
  const mailed = await project.run(['channel', 'test', 'soc-email']);
  assert.equal(mailed.code, 0, mailed.stderr);
  // An address with a dotted local part (soc-dotted) goes out quoted, through the whole nodemailer (its own chunk):
  // the sink's server refuses the quoted form, which is the point here only as proof the mail took that way.
  const quoted = await project.run(['channel', 'test', 'soc-dotted']);
  assert.match(quoted.stdout + quoted.stderr, /"soc\.\.team"@test\.local|501/, `${quoted.code}: ${quoted.stdout}${quoted.stderr}`);
  assert.ok(chunksOf('channel').includes('vendor-nodemailer'), `a quoted address loads the bundled nodemailer: ${chunksOf('channel')}`);
  mkdirSync(join(project.dir, 'rules'));
  writeFileSync(join(project.dir, 'rules', 'whoami.yml'), "title: Whoami\nid: 11111111-1111-4111-8111-111111111111\nstatus: test\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\whoami.exe'\n  condition: selection\nlevel: medium\n");
  const imported = await project.run(['import', 'sigma', 'rules', '--pipeline', 'ecs_windows', '--index', index, '--out', 'alerts', '--notify', 'soc-slack']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.deepEqual([...codeCaches(codeDir).keys()].sort(), ['channel', 'import', 'list', 'other', 'validate']);
  // A plain-text mail goes through nodemailer's SMTP client alone (its own chunk); a digest through the whole package.
  assert.ok(chunksOf('channel').includes('vendor-nodemailer+lib+smtp-connection'), `a mail loads the bundled SMTP client of nodemailer: ${chunksOf('channel')}`);
  assert.ok(chunksOf('import').includes('importer'), `${chunksOf('import')}`);
  // The imported Sigma alert: checking it loads the Sigma compiler, whose cache joins validate's others.
  assert.equal((await project.run(['validate'])).code, 0);
  assert.ok(chunksOf('validate').includes('sigma'), `${chunksOf('validate')}`);
  // A backtest loads its own chunk (the replay and the chart page), which no run loads.
  const replayed = await project.run(['test', 'admins', '--backtest', '10m']);
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.ok(chunksOf('test').includes('backtest'), `${chunksOf('test')}`);
  // The status page: its renderer is a chunk of its own, loaded by status --html (and a run with status_page set).
  assert.equal((await project.run(['status', '--html', join(project.dir, 'status.html')])).code, 0);
  assert.ok(chunksOf('status').includes('status-page'), `${chunksOf('status')}`);
  // A run that writes monitoring.metrics_file loads the metrics writer's chunk.
  writeFileSync(join(project.dir, 'alertcron.yaml'), `${readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8')}monitoring:\n  metrics_file: alertcron.prom\n`);
  const measured = await project.run(['run']);
  assert.equal(measured.code, 0, measured.stderr);
  assert.ok(chunksOf('run').includes('metrics'), `${chunksOf('run')}`);
  const everyChunk = new Set([...codeCaches(codeDir).values()].flatMap((chunks) => [...chunks.keys()]).map((chunk) => `${chunk}.cjs`));
  assert.deepEqual([...everyChunk].sort(), Object.keys(BUILD.files).sort(), 'these commands loaded every chunk of the bundle');
  // The damaged caches below are those of the commands run again there (a later run may load fewer chunks than this one).
  for (const name of readdirSync(codeDir)) if (name.startsWith('run-')) rmSync(join(codeDir, name));

  // A damaged cache (a disk error: one byte changed, or garbage) fails its checksum and is written anew: every chunk's.
  for (const damage of [(good: Buffer) => {
    // One byte flipped (a byte set to 0xff would be no change where it was 0xff already).
    const bad = Buffer.from(good);
    const at = bad.length >> 1;
    bad[at] = bad[at]! ^ 0xff;
    return bad;
  }, () => Buffer.from('not a code cache')]) {
    const damaged = new Map<string, Buffer>();
    for (const name of readdirSync(codeDir)) {
      damaged.set(name, damage(readFileSync(join(codeDir, name))));
      writeFileSync(join(codeDir, name), damaged.get(name)!);
    }
    // Without the parse cache, validate checks (and compiles) every alert again, the Sigma one too.
    for (const name of readdirSync(join(project.dir, '.cache', 'alertcron'))) if (name.endsWith('.json')) rmSync(join(project.dir, '.cache', 'alertcron', name));
    for (const args of [['validate'], ['list'], ['rnu'], ['channel', 'test', 'soc-email'], ['channel', 'test', 'soc-dotted'], ['status', '--html', join(project.dir, 'status.html')], ['import', 'sigma', 'rules', '--pipeline', 'ecs_windows', '--index', index, '--out', `elsewhere-${Math.random().toString(36).slice(2)}`], ['test', 'admins', '--backtest', '10m']]) {
      const result = await project.run(args);
      const expected = args[0] === 'rnu' ? 64 : args[2] === 'soc-dotted' ? quoted.code : 0;
      assert.equal(result.code, expected, `${args.join(' ')}: ${result.stderr}`);
    }
    for (const [name, bad] of damaged) assert.ok(!readFileSync(join(codeDir, name)).equals(bad), `the damaged cache ${name} was replaced`);
  }

  rmSync(join(project.dir, '.cache'), { recursive: true });
  assert.equal((await project.run(['validate'], { ALERTCRON_CACHE: 'off' })).code, 0);
  assert.throws(() => readdirSync(codeDir), /ENOENT/);
});

test('a quiet run reads and compiles only the chunks it runs: no validator (alert or alertcron.yaml), Sigma, importer or on-demand package', async () => {
  const { project } = await oneAlertProject();
  const codeDir = join(project.dir, '.cache', 'alertcron', 'code');
  assert.equal((await project.run(['run'])).code, 0, 'the first run parses and checks the alerts');
  // The caches a run writes are those of the chunks it loaded: remove them, and the next run shows what it loads.
  for (const name of readdirSync(codeDir)) rmSync(join(codeDir, name));
  const quiet = await project.run(['run']);
  assert.equal(quiet.code, 0, quiet.stderr);
  const loaded = [...(codeCaches(codeDir).get('run')?.keys() ?? [])];
  assert.ok(loaded.includes('cli'), `${loaded}`);
  for (const chunk of ['validators-alert', 'validators-alertcron', 'sigma', 'importer', 'metrics', 'vendor-yaml', 'vendor-js-yaml', 'vendor-nodemailer', 'vendor-nodemailer+lib+smtp-connection', 'vendor-cron-parser']) assert.ok(!loaded.includes(chunk), `a quiet run does not load ${chunk}: ${loaded}`);
});

test('a quiet run over http loads none of the node modules it does not use: no ES module loader, https, TLS, child_process, assert or v8', async () => {
  const { project } = await oneAlertProject();
  assert.equal((await project.run(['run'])).code, 0, 'the first run parses and checks the alerts');
  // A preload writes the list of node's own modules the process loaded as it exits.
  const listFile = join(project.dir, 'modules.txt');
  const preload = join(project.dir, 'listModules.cjs');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listFile)}, process.moduleLoadList.join('\\n')));\n`);
  const quiet = await project.run(['run'], { NODE_OPTIONS: `--require ${preload}` });
  assert.equal(quiet.code, 0, quiet.stderr);
  const loaded = new Set(readFileSync(listFile, 'utf8').split('\n').filter((line) => line.startsWith('NativeModule ')).map((line) => line.slice('NativeModule '.length)));
  assert.ok(loaded.has('http'), `the run searched over http: ${[...loaded]}`);
  for (const unused of ['internal/modules/esm/module_job', 'internal/modules/esm/translators', 'https', 'tls', 'child_process', 'assert', 'v8']) assert.ok(!loaded.has(unused), `a quiet run does not load ${unused}`);
});

test('the cache of checked alerts never hides an edit of a query file, a script or alertcron.yaml', async () => {
  const { project } = await oneAlertProject();
  project.writeQuery('spray.json', { query: { term: { 'event.code': '4625' } }, aggs: { by_ip: { terms: { field: 'source.ip' } } } });
  project.writeAlert('spray', { index: 'winlogbeat-*', query: 'spray.json', condition: { type: 'buckets', path: 'by_ip', gte: 5 }, notify: ['soc-email'] });
  writeFileSync(join(project.dir, 'alerts', 'match.mjs'), 'export default () => false;\n');
  project.writeAlert('scripted', { index: 'winlogbeat-*', condition: { type: 'script', module: 'match.mjs' }, notify: ['soc-email'] });
  assert.equal((await project.run(['validate'])).code, 0);
  assert.equal((await project.run(['validate'])).code, 0, 'every alert from the cache');

  project.writeQuery('spray.json', { query: { term: { 'event.code': '4625' } } });
  const query = await project.run(['validate']);
  assert.equal(query.code, 2, 'the changed query file is checked again');
  assert.match(query.stderr, /^alerts\/spray\.yaml:\d+:\d+ \/condition\/path: a buckets condition needs an aggregation \("aggs"\) in the query$/m);
  project.writeQuery('spray.json', { query: { term: { 'event.code': '4625' } }, aggs: { by_ip: { terms: { field: 'source.ip' } } } });

  rmSync(join(project.dir, 'alerts', 'match.mjs'));
  const script = await project.run(['validate']);
  assert.equal(script.code, 2, 'the deleted script is noticed');
  assert.match(script.stderr, /^alerts\/scripted\.yaml:\d+:\d+ \/condition\/module: no such file: match\.mjs \(relative to the alert file\)$/m);
  writeFileSync(join(project.dir, 'alerts', 'match.mjs'), 'export default () => false;\n');
  assert.equal((await project.run(['validate'])).code, 0);

  // A channel removed from alertcron.yaml: every alert is checked against the new configuration.
  const config = projectConfig(project.dir) as { channels: Record<string, unknown> };
  delete config.channels['soc-email'];
  project.writeConfig(config);
  const channel = await project.run(['validate']);
  assert.equal(channel.code, 2);
  assert.match(channel.stderr, /^alerts\/spray\.yaml:\d+:\d+ \/notify\/0: unknown channel "soc-email"/m);
});
