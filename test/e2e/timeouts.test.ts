import assert from 'node:assert/strict';
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
