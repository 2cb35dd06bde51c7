import type { ChannelServers } from './channelWorld.js';
import type { TheHiveServer } from './theHiveServer.js';
import type { World } from './world.js';

/**
 * A project with the SLA ladder of the seed over the fake TheHive: a first notice on Slack, then SMS on-call at
 * 30 minutes, a call on-call at 45, a call to the seniors at 60; with what each channel received so far.
 */
export function hiveLadderProject(world: World, servers: ChannelServers, fake: { server: TheHiveServer }, extra: Record<string, unknown> = {}) {
  const project = world.project();
  const config = servers.config(world) as { channels: Record<string, Record<string, unknown>> };
  config.channels['seniors-call'] = { ...config.channels['oncall-call'], to: ['+15551239999'] };
  const writeHive = (thehive: Record<string, unknown>, more: Record<string, unknown> = {}) => project.writeConfig({ ...config, ...more, thehive });
  writeHive({ url: fake.server.base, api_key: '${THEHIVE_API_KEY}', organisation: 'soc', timeout: '3s' });
  Object.assign(project.env, servers.secrets, { THEHIVE_API_KEY: fake.server.apiKey });
  project.writeAlert('hive-sla', {
    source: 'thehive',
    thehive: { severity: [3, 4] },
    notify: ['soc-slack'],
    escalation: [
      { after: '30m', notify: ['oncall-sms'] },
      { after: '45m', notify: ['oncall-call'] },
      { after: '60m', notify: ['seniors-call'] },
    ],
    high_risk_words: ['ransomware', 'domain admin'],
    ...extra,
  });
  const sent = () => ({
    slack: (world.slack.accepted() as { text: string }[]).map((p) => p.text),
    sms: servers.twilio.messages.map((m) => m.To),
    calls: servers.twilio.calls.map((c) => c.To),
  });
  return { project, sent, writeHive };
}
