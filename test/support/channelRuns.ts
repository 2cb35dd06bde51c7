import assert from 'node:assert/strict';
import { defaultConfig, type CliResult, type Project } from './project.js';
import { indexDocs, logonEvent } from './seed.js';
import { iso, type World } from './world.js';

/**
 * A project whose `logons` alert (a key per user, throttle 1m, resolved after one quiet run, no sample events)
 * notifies one channel `name` with these settings (beside the default email and Slack channels), and a way to log a
 * user on (dc01 from 10.0.0.5, plus any extra fields, e.g. HOSTILE_FIELDS) in its fresh index.
 */
export async function channelProject(world: World, name: string, channel: Record<string, unknown>, alert: Record<string, unknown> = {}) {
  const index = await world.index(`${name}-channel`);
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }) as { channels: Record<string, unknown> };
  const project = world.project({ extraConfig: { channels: { ...base.channels, [name]: channel } } });
  project.writeAlert('logons', {
    index,
    condition: { type: 'any' },
    group_by: 'winlog.event_data.TargetUserName',
    throttle: '1m',
    resolve_after: 1,
    notify: [name],
    title: 'Logon {{key}} on {{host.name}}',
    message: '{{count}} logons to {{key}} from {{source.ip}}',
    samples: 0,
    ...alert,
  });
  const logon = (at: number, user: string, extra: Record<string, unknown> = {}) => indexDocs(world.esUrl, index, [{ ...logonEvent(at, user, { host: 'dc01', ip: '10.0.0.5' }), ...extra }]);
  return { index, project, logon };
}

/** Runs alertcron at a time (ALERTCRON_NOW) and expects exit 0. */
export async function runOk(project: Project, at: number, args: string[] = ['run']): Promise<CliResult> {
  const result = await project.run(args, { ALERTCRON_NOW: iso(at) });
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result;
}

/** Everything runs leave for people and files, as one text to search for a secret: their output, the state and the audit log. */
export function everything(project: Project, ...outputs: CliResult[]): string {
  return JSON.stringify([outputs, project.state(), project.audit()]);
}
