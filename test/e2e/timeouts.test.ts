import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { acquireLock } from '../../src/state/fileLock.js';
import { movedToClusterMarker } from '../../src/state/store.js';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { GC_PRESSURE_ENV } from '../support/gcPressure.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startSilentServer, type SilentServer } from '../support/silentServer.js';
import { iso, useWorld } from '../support/world.js';

// Every request's own timeout ends it against a server that accepts the connection and never answers: the run
// reports that timeout well before its deadlines (run.deadline 50 s, delivery.deadline 40 s), never waits for them.
// The CLI collects garbage every 25 ms (GC_PRESSURE_ENV), as a long run would: a timer that is only weakly held dies.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
let silent: SilentServer;
before(async () => {
  silent = await startSilentServer();
});
after(async () => {
  await silent?.close();
});

/** A run's real duration, and what it printed. */
async function timedRun(project: { run(args: string[], env?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> }, at: number) {
  const started = Date.now();
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(at), ...GC_PRESSURE_ENV });
  return { ...result, ms: Date.now() - started };
}

/** "Well before the deadline": half of it, a bound far above the timeouts under test and far below the deadlines. */
const WELL_BEFORE_MS = 20_000;
/** The chat stages cut every call at 10 s themselves: a 1 s timeout must end a run well before that bound. */
const BEFORE_STAGE_LIMIT_MS = 9_000;

test('elasticsearch.timeout: 2s against a cluster that never answers: the run reports the source timed out, not at the run deadline', { timeout: 90_000 }, async () => {
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: silent.url, smtpPort: world.smtp.port, slackUrl: world.slack.url }), elasticsearch: { url: silent.url, timeout: '2s' }, run: { deadline: '50s' } });
  project.writeAlert('admins', { index: 'auth-*', condition: { type: 'any' }, notify: ['soc-slack'] });
  const result = await timedRun(project, uniqueBaseTime());
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /timed out/);
  assert.ok(result.ms < WELL_BEFORE_MS, `the run ended after ${result.ms} ms, at the 2 s timeout, not the 50 s deadline`);
});

/** A project whose alert fires once and notifies every channel kind, each pointed at the silent server. */
async function silentChannelsProject(channelTimeout: string, delivery: Record<string, unknown>) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-timeouts');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const config = servers.config(world);
  const channels = { ...(config.channels as Record<string, Record<string, unknown>>) };
  for (const [channel, pointAt] of Object.entries(SILENT)) channels[channel] = { ...channels[channel], ...pointAt(silent), timeout: channelTimeout };
  project.writeConfig({ ...config, channels, delivery: { deadline: '40s', retries: 0, ...delivery }, run: { deadline: '50s' } });
  Object.assign(project.env, servers.secrets, { SLACK_WEBHOOK_URL: `${silent.url}/services/T000/B000/XXXX` });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: Object.keys(SILENT), title: 'Admin {{key}}' });
  return { T, project };
}

/** How each channel kind is pointed at the silent server. */
const SILENT: Record<string, (server: SilentServer) => Record<string, unknown>> = {
  hook: (server) => ({ url: `${server.url}/alerts` }),
  'soc-slack': () => ({}),
  'team-telegram': (server) => ({ api_url: server.url }),
  'oncall-sms': (server) => ({ api_url: server.url }),
  'oncall-call': (server) => ({ api_url: server.url }),
  'soc-email': (server) => ({ port: server.port }),
};

test('webhook, Slack, Telegram, Twilio SMS and call, SMTP servers that never answer: the 2 s attempt_timeout ends each attempt (the channels\' own timeouts are 30 s)', { timeout: 90_000 }, async () => {
  const { T, project } = await silentChannelsProject('30s', { attempt_timeout: '2s' });
  const result = await timedRun(project, T);
  assert.equal(result.code, 4, result.stderr);
  for (const channel of Object.keys(SILENT)) assert.match(result.stderr, new RegExp(`-> ${channel}: .*timed out \\(will retry next run\\)`), channel);
  assert.ok(result.ms < WELL_BEFORE_MS, `the run ended after ${result.ms} ms: each attempt timed out at 2 s, not at the 30 s channel timeout or the 40 s delivery deadline`);
  assert.equal(project.state().pending.length, Object.keys(SILENT).length, 'every notice stays pending');
});

test("the same silent servers: each channel's own 2 s timeout ends its attempt (attempt_timeout is 30 s)", { timeout: 90_000 }, async () => {
  const { T, project } = await silentChannelsProject('2s', { attempt_timeout: '30s' });
  const result = await timedRun(project, T);
  assert.equal(result.code, 4, result.stderr);
  for (const channel of Object.keys(SILENT)) assert.match(result.stderr, new RegExp(`-> ${channel}: .*(timed out|[Tt]imeout|never received).* \\(will retry next run\\)`), channel);
  assert.ok(result.ms < WELL_BEFORE_MS, `the run ended after ${result.ms} ms: the channels' 2 s timeouts, not the 30 s attempt timeout or the deadline`);
  assert.equal(project.state().pending.length, Object.keys(SILENT).length);
});

/** A project with only the given source section (pointed at the silent server) and one alert reading it. */
function sourceProject(section: Record<string, unknown>, alert: Record<string, unknown>, env: Record<string, string>) {
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), ...section, run: { deadline: '50s' } });
  Object.assign(project.env, env);
  project.writeAlert('source-alert', { ...alert, notify: ['soc-slack'] });
  return project;
}

test('thehive.timeout: 2s against a TheHive that never answers: the run reports it timed out, well before the run deadline', { timeout: 90_000 }, async () => {
  const project = sourceProject({ thehive: { url: silent.url, api_key: '${THEHIVE_API_KEY}', timeout: '2s' } }, { source: 'thehive', thehive: { severity: [3] } }, { THEHIVE_API_KEY: 'hive-key-SECRET-1' });
  const result = await timedRun(project, uniqueBaseTime());
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /timed out/);
  assert.ok(result.ms < WELL_BEFORE_MS, `the run ended after ${result.ms} ms`);
});

test('maxpatrol.timeout: 2s against a MaxPatrol whose token endpoint never answers: the run reports it timed out, well before the run deadline', { timeout: 90_000 }, async () => {
  const section = { maxpatrol: { url: silent.url, token_url: `${silent.url}/connect/token`, username: 'alertcron', password: '${MP_PASSWORD}', client_secret: '${MP_CLIENT_SECRET}', timeout: '2s' } };
  const project = sourceProject(section, { source: 'maxpatrol' }, { MP_PASSWORD: 'mp-password-SECRET-1', MP_CLIENT_SECRET: 'mp-client-SECRET-1' });
  const result = await timedRun(project, uniqueBaseTime());
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /timed out after 2s/);
  assert.ok(result.ms < WELL_BEFORE_MS, `the run ended after ${result.ms} ms`);
});

test("a Telegram bot's chat inbox that never answers getUpdates: the channel's 1 s timeout ends the read, the run goes on", { timeout: 90_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-inbox-timeout');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  project.writeConfig({ ...config, channels: { ...(config.channels as object), 'soc-bot': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: -1001234, api_url: silent.url, bot: true, timeout: '1s' } }, run: { deadline: '50s' } });
  Object.assign(project.env, { TELEGRAM_BOT_TOKEN: '123456:inbox-SECRET-token' });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}' });
  const result = await timedRun(project, T);
  assert.match(result.stderr, /soc-bot.*timed out/);
  assert.ok(result.ms < BEFORE_STAGE_LIMIT_MS, `the run ended after ${result.ms} ms: the read timed out at 1 s, not at the inbox stage's 10 s call limit or the run deadline`);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Admin root'], 'the alerts still ran and were delivered');
});

test('duo.timeout: 1s against a Duo that never answers: the push is given up on at 1 s, well before the stage limit and the run deadline', { timeout: 90_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('sudo-duo-timeout');
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  project.writeConfig({
    ...config,
    channels: { ...(config.channels as object), 'soc-tg': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: -1001234, api_url: servers.telegram.base, bot: true, timeout: '3s' } },
    duo: { api_url: silent.url, integration_key: '${DUO_IKEY}', secret_key: '${DUO_SKEY}', timeout: '1s' },
    run: { deadline: '50s' },
  });
  Object.assign(project.env, { TELEGRAM_BOT_TOKEN: servers.telegram.token, DUO_IKEY: 'DIXXXXXXXXXXXXXXXXXX', DUO_SKEY: 'duo-secret-key-SECRET-0000000000000000000' });
  writeFileSync(join(project.dir, 'people.yaml'), 'frank: { telegram: 5151, duo: frank.duo }\n');
  project.writeAlert('sudo', { index, condition: { type: 'any' }, group_by: 'user.name', notify: ['soc-email'], samples: 0, title: 'sudo by {{user.name}}', ask: { person: 'user.name', people: 'people.yaml', via: 'soc-tg', question: 'Did you run sudo?' } });
  await indexDocs(world.esUrl, index, [{ '@timestamp': iso(T - 30_000), event: { action: 'sudo' }, user: { name: 'frank' } }]);
  const asked = await timedRun(project, T);
  assert.equal(asked.code, 0, asked.stderr);
  const [question] = servers.telegram.inChat(5151);
  assert.ok(question, 'the question was asked');
  servers.telegram.say({ id: 5151, first_name: 'Frank' }, { id: 5151, type: 'private', first_name: 'Frank' }, 'yes', question);
  const answered = await timedRun(project, T + MIN);
  assert.ok(silent.connections > 0, 'the Duo push was tried');
  assert.ok(answered.ms < BEFORE_STAGE_LIMIT_MS, `the run ended after ${answered.ms} ms: the push timed out at 1 s, not at the stage's 10 s call limit (${answered.stderr})`);
  const [talk] = project.state().conversations as { state: string; twoFactor?: { result: string } }[];
  assert.equal(talk!.twoFactor?.result, 'error', 'the push that timed out is an error of 2FA (escalated), not a hang');
});

test('a webhook that never answers, delivery.deadline 40s and run.deadline 6s: the attempt ends 2 s before the run deadline, which the run keeps, its notice pending', { timeout: 90_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-run-deadline');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  const channels = { ...(config.channels as object), hook: { type: 'webhook', url: `${silent.url}/alerts`, timeout: '30s' } };
  project.writeConfig({ ...config, channels, delivery: { deadline: '40s', attempt_timeout: '30s', retries: 0 }, run: { deadline: '6s' } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['hook'], title: 'Admin {{key}}' });
  const result = await timedRun(project, T);
  assert.equal(result.code, 4, result.stderr);
  // Counted from the spawn (node's start-up included): the run's own deadline is later still.
  assert.ok(result.ms < 6_000, `the run ended after ${result.ms} ms: past its 6 s run.deadline`);
  const state = project.state() as { pending: { channel?: string }[]; lastRun?: { exitCode: number } };
  assert.deepEqual(state.pending.map((p) => p.channel), ['hook'], 'the notice stays pending');
  assert.equal(state.lastRun?.exitCode, 4, 'the run was recorded');
});

test('a run that waited for the lock while `state migrate` moved its state keeps its first deadline on its second try (run.deadline 8s, 3 s waited, a webhook that never answers)', { timeout: 90_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-moved-deadline');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const stateIndex = `alertcron-state-moved-${Math.random().toString(36).slice(2, 8)}`;
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  const channels = { ...(config.channels as object), hook: { type: 'webhook', url: `${silent.url}/alerts`, timeout: '30s' } };
  const state = { index: stateIndex, host_id: 'host-a', lease_ttl: '60s', max_clock_skew: '1s', lock_wait: '15s' };
  const write = (backend: string) => project.writeConfig({ ...config, channels, delivery: { deadline: '40s', attempt_timeout: '30s', retries: 0 }, run: { deadline: '8s' }, state: { backend, ...state } });
  write('file');
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['hook'], title: 'Admin {{key}}' });
  // A migration to the cluster holds the file's lock, then leaves its marker and the new alertcron.yaml behind.
  const file = join(project.dir, 'state', 'state.json');
  mkdirSync(join(project.dir, 'state'), { recursive: true });
  const release = await acquireLock(file, 1_000, () => undefined);
  try {
    const running = timedRun(project, T);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    writeFileSync(movedToClusterMarker(file), 'moved');
    write('cluster');
    await release();
    const result = await running;
    assert.match(result.stderr, /the state moved to the other backend/);
    assert.equal(result.code, 4, result.stderr);
    // Counted from the spawn: the first try's deadline (8 s) bounds both tries, not 3 s of waiting plus a fresh 8 s.
    assert.ok(result.ms < 8_000, `the run ended after ${result.ms} ms: past its 8 s run.deadline`);
  } finally {
    await release().catch(() => undefined);
    await fetch(`${world.esUrl}/${stateIndex}*?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
  }
});
