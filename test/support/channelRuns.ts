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
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }) as { channels: Record<string, unknown> };
  return alertProject(world, `${name}-channel`, { ...base.channels, [name]: channel }, [name], { title: 'Logon {{key}} on {{host.name}}', ...alert });
}

/**
 * A project for a paging channel's test: an `admin-logons` alert over a fresh index (the same alert as
 * channelProject's otherwise) that notifies exactly the given channels, the only ones configured.
 */
export async function pagingProject(world: World, prefix: string, channels: Record<string, Record<string, unknown>>, alert: Record<string, unknown> = {}) {
  return alertProject(world, prefix, channels, Object.keys(channels), { title: 'Admin logon: {{key}}', ...alert }, 'admin-logons');
}

/** The project both build: these channels configured, an alert over a fresh index notifying `notify`, and `logon`. */
async function alertProject(world: World, prefix: string, channels: Record<string, unknown>, notify: string[], alert: Record<string, unknown>, name = 'logons') {
  const index = await world.index(prefix);
  const project = world.project({ extraConfig: { channels } });
  project.writeAlert(name, {
    index,
    condition: { type: 'any' },
    group_by: 'winlog.event_data.TargetUserName',
    throttle: '1m',
    resolve_after: 1,
    notify,
    message: '{{count}} logons to {{key}} from {{source.ip}}',
    samples: 0,
    ...alert,
  });
  const logon = (at: number, user: string, extra: Record<string, unknown> = {}) => indexDocs(world.esUrl, index, [{ ...logonEvent(at, user, { host: 'dc01', ip: '10.0.0.5' }), ...extra }]);
  return { index, project, logon };
}

/** Runs alertcron at a time (ALERTCRON_NOW) and expects exit 0. */
export async function runOk(project: Pick<Project, 'run'>, at: number, args: string[] = ['run']): Promise<CliResult> {
  const result = await project.run(args, { ALERTCRON_NOW: iso(at) });
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result;
}

/** Everything runs leave for people and files, as one text to search for a secret: their output, the state and the audit log. */
export function everything(project: Project, ...outputs: CliResult[]): string {
  return JSON.stringify([outputs, project.state(), project.audit()]);
}
