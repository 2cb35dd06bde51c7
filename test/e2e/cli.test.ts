import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
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

test('the code cache: written once per command and build, a damaged one is replaced, none with ALERTCRON_CACHE=off', async () => {
  const { project } = await oneAlertProject();
  const codeDir = join(project.dir, '.cache', 'alertcron', 'code');
  const caches = () => readdirSync(codeDir).sort();
  assert.equal((await project.run(['validate'])).code, 0);
  const [validateCache, ...others] = caches();
  assert.match(validateCache!, /^validate-[0-9a-f]{32}-v[\d.]+\.bin$/);
  assert.deepEqual(others, []);
  const written = statSync(join(codeDir, validateCache!)).mtimeMs;
  assert.equal((await project.run(['validate'])).code, 0);
  assert.equal(statSync(join(codeDir, validateCache!)).mtimeMs, written, 'a cache V8 accepted is not written again');

  // A damaged cache (a disk error: one byte changed, or garbage) fails its checksum and is written anew.
  const good = readFileSync(join(codeDir, validateCache!));
  const flipped = Buffer.from(good);
  flipped[flipped.length >> 1]! ^= 0xff;
  for (const damage of [flipped, Buffer.from('not a code cache')]) {
    writeFileSync(join(codeDir, validateCache!), damage);
    const damaged = await project.run(['validate']);
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.ok(!readFileSync(join(codeDir, validateCache!)).equals(damage), 'the damaged cache was replaced');
  }
  // A typo is not a command of its own: it gets the shared cache of everything else.
  assert.equal((await project.run(['rnu'])).code, 64);
  // Commands that load packages on demand (yaml to parse the alert again) work from the cache too.
  writeFileSync(join(project.dir, 'alerts', 'admins.yaml'), readFileSync(join(project.dir, 'alerts', 'admins.yaml'), 'utf8') + '\n');
  assert.equal((await project.run(['validate'])).code, 0);
  assert.equal((await project.run(['list'])).code, 0);
  assert.deepEqual(caches().map((f) => f.split('-')[0]), ['list', 'other', 'validate']);

  rmSync(join(project.dir, '.cache'), { recursive: true });
  assert.equal((await project.run(['validate'], { ALERTCRON_CACHE: 'off' })).code, 0);
  assert.throws(() => readdirSync(codeDir), /ENOENT/);
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
