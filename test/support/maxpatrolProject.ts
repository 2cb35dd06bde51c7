import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelServers } from './channelWorld.js';
import { maxPatrolEnv, maxPatrolSection, type MaxPatrolServer } from './maxpatrolServer.js';
import type { World } from './world.js';

/**
 * A project whose alert `mp-incidents` reads the fake MaxPatrol (its CA in ca_file) and notifies Slack, with SMS
 * for escalation; `writeSection` rewrites the maxpatrol: section (e.g. a wrong password), `sent` gives what Slack got.
 */
export function maxPatrolProject(world: World, servers: ChannelServers, fake: { server: MaxPatrolServer }, alert: Record<string, unknown> = {}, section: Record<string, unknown> = {}, more: Record<string, unknown> = {}) {
  const project = world.project();
  const caFile = join(project.dir, 'mp-ca.pem');
  writeFileSync(caFile, fake.server.ca);
  const config = servers.config(world);
  const writeSection = (extra: Record<string, unknown> = {}, moreConfig: Record<string, unknown> = more) =>
    project.writeConfig({ ...config, ...moreConfig, maxpatrol: maxPatrolSection(fake.server, 'mp-ca.pem', { time_zone: 'Europe/Moscow', ...section, ...extra }) });
  writeSection();
  Object.assign(project.env, servers.secrets, maxPatrolEnv(fake.server));
  project.writeAlert('mp-incidents', { source: 'maxpatrol', maxpatrol: { severity: ['Medium', 'High'], max_events: 2 }, notify: ['soc-slack'], ...alert });
  const slack = () => (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  const slackBodies = () => (world.slack.accepted() as unknown[]).map((p) => JSON.stringify(p));
  return { project, writeSection, slack, slackBodies };
}
