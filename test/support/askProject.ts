// A project with one ask alert ("sudo" by user) over a fresh index, a chat that asks (a Slack app unless told) and a
// Duo that confirms, with the test servers they talk to: what the ask end-to-end tests share.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startDuoServer, type DuoServer } from './duoServer.js';
import { defaultConfig, type Project } from './project.js';
import { uniqueBaseTime } from './seed.js';
import { startSlackApiServer, type SlackApiServer } from './slackApiServer.js';
import { iso, type World } from './world.js';

/** The Slack Web API and Duo test servers of an ask test file. */
export interface AskServers {
  slack: SlackApiServer;
  duo: DuoServer;
}

/** Registers hooks that start the Slack Web API and Duo test servers for the current test file, and stop them. */
export function useAskServers(): AskServers {
  const servers = {} as AskServers;
  before(async () => {
    servers.slack = await startSlackApiServer();
    servers.duo = await startDuoServer();
  });
  after(async () => {
    await servers.slack?.close();
    await servers.duo?.close();
  });
  return servers;
}

/** What an ask project differs in: its ask:, duo: and alert keys, and another chat to ask on (with its secrets and a people file). */
export interface AskOptions {
  ask?: Record<string, unknown>;
  duo?: Record<string, unknown>;
  alert?: Record<string, unknown>;
  chat?: { name: string; channel: Record<string, unknown>; env: Record<string, string>; people?: string };
}

/** A sudo event of a user on a host, as the ask alert's query finds it. */
export const sudo = (at: number, user: string, host = 'db-3') => ({ '@timestamp': iso(at), event: { action: 'sudo' }, user: { name: user, email: `${user}@example.org` }, host: { name: host }, process: { args: 'sudo -i' } });

/** The ask alert over sudo events of `index`, asking on the chat `via` (ask: and alert keys merged in). */
export function sudoAskAlert(index: string, via: string, ask: Record<string, unknown> = {}, alert: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    index,
    condition: { type: 'any' },
    group_by: 'user.name',
    throttle: '1m',
    samples: 0,
    notify: ['soc-email'],
    title: 'sudo by {{user.name}} on {{host.name}}',
    message: '{{user.name}} ran {{process.args}} on {{host.name}}',
    ask: { person: 'user.email', via, question: 'Did you run {{process.args}} on {{host.name}}?', deadline: '10m', quiet_after_yes: '1h', links: ['https://kibana.example.org/app/discover#/?q=user.name:{{user.name}}'], ...ask },
    ...alert,
  };
}

/** What askProject sets up: the base time, the index, the project and a run that must exit 0. */
export interface AskProject {
  T: number;
  index: string;
  project: Project;
  run: (at: number) => Promise<void>;
}

/** Creates the project, asking on the Slack app `soc-bot` unless `options.chat` names another chat. */
export async function askProject(world: World, { slack, duo }: AskServers, options: AskOptions = {}): Promise<AskProject> {
  const T = uniqueBaseTime();
  const index = await world.index('sudo-ask');
  const project = world.project();
  const chat = options.chat ?? { name: 'soc-bot', channel: { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0ALERTS', api_url: slack.apiUrl, timeout: '3s' }, env: { SLACK_BOT_TOKEN: slack.token } };
  project.writeConfig({
    ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    channels: {
      'soc-email': { type: 'email', host: '127.0.0.1', port: world.smtp.port, starttls: 'ignore', from: 'alertcron@test.local', to: ['soc@test.local'], timeout: '3s' },
      [chat.name]: chat.channel,
    },
    duo: { api_url: duo.base, integration_key: '${DUO_IKEY}', secret_key: '${DUO_SKEY}', timeout: '1s', push_timeout: '3m', ...options.duo },
  });
  Object.assign(project.env, chat.env, { DUO_IKEY: duo.ikey, DUO_SKEY: duo.skey });
  if (chat.people) writeFileSync(join(project.dir, 'people.yaml'), chat.people);
  project.writeAlert('sudo', sudoAskAlert(index, chat.name, options.ask, options.alert));
  const run = async (at: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
    assert.equal(result.code, 0, `run at ${iso(at)}: ${result.stderr}`);
  };
  return { T, index, project, run };
}

/** A mail's text with quoted-printable soft breaks and escapes undone. */
export const mailText = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The conversation about a finding key in the project's state. */
export const conversationOf = (project: Project, key: string) => (project.state().conversations as { key: string; state: string; reason?: string; lastError?: string; history: { state: string; note: string }[] }[]).find((c) => c.key === key)!;
