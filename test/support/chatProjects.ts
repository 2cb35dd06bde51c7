import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { ChannelServers } from './channelWorld.js';
import type { Project } from './project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from './seed.js';
import { startSlackApiServer, type FakeSlackMessage, type SlackApiServer } from './slackApiServer.js';
import type { FakeChat, FakeMessage } from './telegramServer.js';
import { iso, type World } from './world.js';

const MIN = 60_000;

/** Registers hooks that start and stop a fake Slack Web API for the current test file; `slack.server` is set before the tests. */
export function useSlackApiServer(): { server: SlackApiServer } {
  const slack = {} as { server: SlackApiServer };
  before(async () => {
    slack.server = await startSlackApiServer();
  });
  after(async () => {
    await slack.server?.close();
  });
  return slack;
}

/** A chat project after its first run: the project, its base time, a run helper (minutes after T, exit 0, no internal error). */
interface ChatProject {
  T: number;
  p: Project;
  run(minutes: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** An alert `admins` that fires once per user in `users` (one logon each a minute before T) and notifies the channel `notify`. */
async function alertProject(world: World, indexName: string, users: string[], notify: string, channels: Record<string, unknown>, settings: Record<string, unknown>, env: Record<string, string>): Promise<ChatProject> {
  const T = uniqueBaseTime();
  const index = await world.index(indexName);
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - MIN, user, { host: 'dc07', ip: '10.9.8.7' })));
  const p = world.project();
  p.writeConfig({ ...settings, channels });
  Object.assign(p.env, env);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: [notify], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0 });
  const run = async (minutes: number) => {
    const result = await p.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /internal error|TypeError|could not read its inbox/i);
    return result;
  };
  await run(0);
  return { T, p, run };
}

/** A project whose alert notifies a Slack app channel (a new channel named `channel`) where only U0ALICE may act; the first run posted the notice. */
export async function slackAppProject(world: World, slack: SlackApiServer, channel: string): Promise<ChatProject & { channel: string; notice: FakeSlackMessage }> {
  slack.channels.set(channel, []);
  const channels = { 'ops-slack': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel, api_url: slack.apiUrl, allowed_users: ['U0ALICE'], timeout: '3s' } };
  const settings = { elasticsearch: { url: world.esUrl, timeout: '10s' }, defaults: { first_lookback: '10m', ingest_delay: '0s' }, delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 } };
  const project = await alertProject(world, 'auth-slackchat', ['root'], 'ops-slack', channels, settings, { SLACK_BOT_TOKEN: slack.token });
  const [notice] = slack.posted(channel);
  assert.ok(notice, 'the notice was posted');
  return { ...project, channel, notice };
}

/** A project whose alert notifies a Telegram bot channel `team-bot` in `group` (bot settings merged in); the first run sent one notice per user. */
export async function telegramBotProject(world: World, servers: ChannelServers, group: FakeChat, bot: Record<string, unknown>, users = ['root'], run: Record<string, unknown> = {}): Promise<ChatProject & { notices: FakeMessage[]; config: Record<string, unknown> }> {
  const base = servers.config(world) as { channels: Record<string, unknown> };
  const channels = { ...base.channels, 'team-bot': { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: group.id, api_url: servers.telegram.base, timeout: '3s', bot: true, ...bot } };
  const settings = { ...base, run };
  const project = await alertProject(world, 'auth-tgchat', users, 'team-bot', channels, settings, servers.secrets);
  const notices = servers.telegram.inChat(group.id);
  assert.equal(notices.length, users.length, 'one notice per user went to the chat');
  return { ...project, notices, config: { ...settings, channels } };
}
