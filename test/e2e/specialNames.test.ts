// No value is special: names from outside data (`__proto__`, `constructor` ...) are plain keys everywhere: finding
// keys, alert file names, channel names, chats in a crafted allow-list, and a delivery journal replayed after a kill.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { completeLines } from '../support/files.js';
import { join } from 'node:path';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { checkProperty, fc } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const SPECIAL = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

/** Waits until `check` holds, polling; fails after `ms` (a bound on a hang, not a timing assertion). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** No internal error, no stack trace: what a crash on a special name looked like. */
function assertNoCrash(result: { code: number | null; stderr: string }, what: string): void {
  assert.doesNotMatch(result.stderr, /internal error|Cannot (set|read) properties|is not a function|TypeError/, `${what}: ${result.stderr}`);
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
}

test('group_by values named like Object.prototype members are sent once; later runs, status and list work', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('special-keys');
  await indexDocs(world.esUrl, index, SPECIAL.map((user) => logonEvent(T - MIN, user)));
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack', 'soc-email'], throttle: '1h', lookback: '15m', title: 'Logon: {{key}}' });
  assertNoCrash(await project.run(['run'], { ALERTCRON_NOW: iso(T) }), 'first run');
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((b) => b.text.replaceAll('\u02cd', '_').match(/Logon: (\S+)/)?.[1]).sort(), [...SPECIAL].sort());
  assert.equal(world.smtp.messages.length, SPECIAL.length);
  const keys = project.state().alerts.logons.keys;
  for (const name of SPECIAL) {
    assert.ok(Object.hasOwn(keys, name), `key ${name} is kept`);
    assert.equal(typeof keys[name].delivered['soc-slack'], 'number', `key ${name} is stamped for soc-slack`);
  }
  for (const [minutes, args] of [[2, ['run']], [3, ['status']], [3, ['status', '--json']], [3, ['list']], [4, ['run']]] as const) {
    assertNoCrash(await project.run([...args], { ALERTCRON_NOW: iso(T + minutes * MIN) }), args.join(' '));
  }
  assert.equal(world.slack.accepted().length, SPECIAL.length, 'throttled: nothing is sent again');
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  for (const name of SPECIAL) assert.ok(status.stdout.includes(name), `status names ${name}`);
});

test('a run killed during delivery of special keys: the journal is replayed by status and by the next run, nothing is sent twice', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('special-kill');
  await indexDocs(world.esUrl, index, SPECIAL.map((user) => logonEvent(T - MIN, user)));
  const project = world.project({ extraConfig: { delivery: { deadline: '40s', attempt_timeout: '30s', retries: 0, concurrency: 1 } } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email', 'soc-slack'], throttle: '1h' });
  world.slack.behaviour = 'hang';
  const child = project.spawn(['run'], { ALERTCRON_NOW: iso(T) });
  await until(() => world.smtp.messages.length === SPECIAL.length && world.slack.requests.length >= 1, 'the mails accepted and a Slack post in flight');
  // Each accepted mail is journalled just after the server took it: wait for every line, not for the file.
  await until(() => completeLines(join(project.dir, 'state', 'state.json.journal')) >= SPECIAL.length, 'the accepted mails journalled');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  world.slack.behaviour = 'ok';
  world.slack.requests.length = 0;
  assertNoCrash(await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) }), 'status replaying the journal');
  assertNoCrash(await project.run(['list'], { ALERTCRON_NOW: iso(T + MIN) }), 'list');
  assertNoCrash(await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) }), 'the run after the kill');
  assert.equal(world.smtp.messages.length, SPECIAL.length, 'the mails accepted before the kill are not sent again');
  assert.equal(world.slack.accepted().length, SPECIAL.length, 'the Slack notices are sent by the next run');
  const state = project.state();
  assert.deepEqual(state.pending, []);
  for (const name of SPECIAL) assert.equal(typeof state.alerts.logons.keys[name].delivered['soc-email'], 'number', `${name}: the journalled mail is recorded`);
});

test('alert files named __proto__.yaml and constructor.yaml are alerts like any other', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('special-files');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  for (const name of ['__proto__', 'constructor', 'toString']) project.writeAlert(name, { index, condition: { type: 'any' }, notify: ['soc-slack'], title: `alert ${name}` });
  assertNoCrash(await project.run(['validate']), 'validate');
  for (const [minutes, args] of [[0, ['run']], [1, ['run']], [1, ['status']], [1, ['list']], [1, ['list', '--json']]] as const) {
    assertNoCrash(await project.run([...args], { ALERTCRON_NOW: iso(T + minutes * MIN) }), args.join(' '));
  }
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((b) => b.text.replaceAll('\u02cd', '_').match(/alert (\S+)/)?.[1]).sort(), ['__proto__', 'constructor', 'toString']);
  const state = project.state();
  for (const name of ['__proto__', 'constructor', 'toString']) assert.ok(Object.hasOwn(state.alerts, name), `the state keeps alert ${name}`);
  const list = await project.run(['list']);
  for (const name of ['__proto__', 'constructor']) assert.match(list.stdout, new RegExp(`^${name}\\b`, 'm'));
});

test('channels named __proto__ and constructor queue, retry and deliver; an unknown channel toString is an error at its key', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('special-channels');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const slack = () => ({ type: 'slack', webhook_url: '${SLACK_WEBHOOK_URL}', timeout: '3s' });
  project.writeConfig({ elasticsearch: { url: world.esUrl, timeout: '10s' }, channels: { ['__proto__']: slack(), constructor: slack() }, defaults: { first_lookback: '10m', ingest_delay: '0s' }, delivery: { deadline: '10s', attempt_timeout: '3s', retries: 0 }, state: { lock_wait: '15s' } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, notify: ['__proto__', 'constructor'] });
  world.slack.behaviour = 'server-error';
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(failed.code, 4, `the deliveries stay pending: ${failed.stderr}`);
  assert.deepEqual(project.state().pending.map((p: { channel: string }) => p.channel).sort(), ['__proto__', 'constructor']);
  assertNoCrash(await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) }), 'status with pending items');
  world.slack.behaviour = 'ok';
  assertNoCrash(await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) }), 'the retry');
  assert.equal(world.slack.accepted().length, 2);
  const key = Object.values(project.state().alerts.logons.keys)[0] as { delivered: Record<string, number> };
  assert.deepEqual(Object.keys(key.delivered).sort(), ['__proto__', 'constructor']);
  project.writeAlert('logons', { index, condition: { type: 'any' }, notify: ['toString'] });
  const invalid = await project.run(['validate']);
  assert.equal(invalid.code, 2, invalid.stderr);
  assert.match(invalid.stderr, /alerts\/logons\.yaml:\d+:\d+ \/notify\/0: .*toString/);
});

test('a crafted allow-list naming chats __proto__ and constructor sends to neither: they are set aside with a warning', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('special-chats');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  const ADMIN = 4343;
  const GROUP = -1_009_100_001;
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', api_url: servers.telegram.base, timeout: '3s', bot: true, admin_chat_id: ADMIN };
  project.writeConfig(config);
  Object.assign(project.env, servers.secrets);
  project.writeAlert('logons', { index, condition: { type: 'any' }, notify: ['team-bot'] });
  const entry = (id: string) => ({ id, title: 'crafted', kind: 'group', at: T - MIN });
  // Written as text: the allow-list holds own members named __proto__ and constructor, as JSON.parse reads them.
  const allowed = `{"__proto__":${JSON.stringify(entry('__proto__'))},"constructor":${JSON.stringify(entry('constructor'))},"${GROUP}":${JSON.stringify(entry(String(GROUP)))}}`;
  mkdirSync(join(project.dir, 'state'), { recursive: true });
  writeFileSync(join(project.dir, 'state', 'state.json'), `{"version":1,"alerts":{},"pending":[],"sent":[],"silences":[],"sources":{},"cursors":{},"conversations":[],"chats":{"team-bot":{"allowed":${allowed},"requested":{},"banned":{}}}}`);
  servers.telegram.clearQueue();
  const before = servers.telegram.requests.length;
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assertNoCrash(result, 'the run');
  const chats = servers.telegram.requests.slice(before).filter((r) => r.path.endsWith('/sendMessage')).map((r) => String(JSON.parse(r.body).chat_id));
  assert.deepEqual(chats, [String(GROUP)], 'the notice goes to the one real chat only');
  assert.match(result.stderr, /^warning: state file .*state\.json has \d+ part\(s\) of the wrong shape, left out \(.*chats\["team-bot"\]\.allowed\["__proto__"\]: "__proto__" is not the id of a Telegram chat.*\); set aside in .*state\.json\.set-aside$/m);
  assert.ok(existsSync(join(project.dir, 'state', 'state.json.set-aside')), 'what was set aside is kept');
  assert.deepEqual(Object.keys(project.state().chats['team-bot'].allowed), [String(GROUP)]);
});

test('an allow-list naming chat ids Telegram cannot have (0, -0, a leading zero, 30 digits) sends to none of them: they are set aside with a warning', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('special-chat-ids');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown> };
  const GROUP = -1_009_100_002;
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', api_url: servers.telegram.base, timeout: '3s', bot: true, admin_chat_id: 4343 };
  project.writeConfig(config);
  Object.assign(project.env, servers.secrets);
  project.writeAlert('logons', { index, condition: { type: 'any' }, notify: ['team-bot'] });
  const bad = ['0', '-0', '0123', '1'.repeat(30)];
  const list = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, { id, title: 'crafted', kind: 'group', at: T - MIN }]));
  const chats = { 'team-bot': { allowed: list([...bad, String(GROUP)]), requested: list(bad), banned: list(bad) } };
  mkdirSync(join(project.dir, 'state'), { recursive: true });
  writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify({ version: 1, alerts: {}, pending: [], sent: [], silences: [], sources: {}, cursors: {}, conversations: [], chats }));
  servers.telegram.clearQueue();
  const before = servers.telegram.requests.length;
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assertNoCrash(result, 'the run');
  const sentTo = servers.telegram.requests.slice(before).filter((r) => r.path.endsWith('/sendMessage')).map((r) => String(JSON.parse(r.body).chat_id));
  assert.deepEqual(sentTo, [String(GROUP)], 'the notice goes to the one real chat only');
  const warning = result.stderr.split('\n').find((line) => line.startsWith('warning: state file'));
  assert.ok(warning, result.stderr);
  assert.match(warning, /has 12 part\(s\) of the wrong shape, left out \(chats\["team-bot"\]\.allowed\["0"\]: "0" is not the id of a Telegram chat; /);
  const setAside = readFileSync(join(project.dir, 'state', 'state.json.set-aside'), 'utf8');
  for (const name of ['allowed', 'requested', 'banned']) for (const id of bad) assert.ok(setAside.includes(`chats[\\"team-bot\\"].${name}[\\"${id}\\"]`) || setAside.includes(`chats["team-bot"].${name}["${id}"]`), `${name} ${id} is set aside`);
  const kept = project.state().chats['team-bot'];
  assert.deepEqual([Object.keys(kept.allowed), Object.keys(kept.requested), Object.keys(kept.banned)], [[String(GROUP)], [], []]);
});

test('property: any strings as group_by keys survive run, run, status and list with no internal error', async () => {
  const index = await world.index('special-prop');
  const key = fc.oneof(fc.constantFrom(...SPECIAL, '', ' ', '\u0000', 'a.b', '{{key}}', '<b>x</b>'), fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 8 }));
  await checkProperty(
    'special group_by keys',
    fc.asyncProperty(fc.uniqueArray(key, { minLength: 1, maxLength: 4 }), async (users) => {
      const T = uniqueBaseTime();
      await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - MIN, user)));
      const project = world.project();
      project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '1h', lookback: '5m' });
      for (const [minutes, args] of [[0, ['run']], [1, ['run']], [1, ['status']], [1, ['list']]] as const) {
        const result = await project.run([...args], { ALERTCRON_NOW: iso(T + minutes * MIN) });
        assert.doesNotMatch(result.stderr, /internal error|TypeError/, `${args.join(' ')}: ${result.stderr}`);
        assert.equal(result.code, 0, `${args.join(' ')} with keys ${JSON.stringify(users)}: ${result.stderr}`);
      }
      project.cleanup();
      return true;
    }),
    12,
  );
});
