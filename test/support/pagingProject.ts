import assert from 'node:assert/strict';
import type { CliResult, Project } from './project.js';
import { indexDocs, logonEvent } from './seed.js';
import { iso, type World } from './world.js';

/**
 * A project for a paging channel's test: an `admin-logons` alert over a fresh index (a key per user that logs on,
 * throttled 1m, resolved after one quiet run) that notifies the given channels; `logon` indexes a logon event with
 * extra fields.
 */
export async function pagingProject(world: World, prefix: string, channels: Record<string, Record<string, unknown>>, alert: Record<string, unknown> = {}) {
  const index = await world.index(prefix);
  const project = world.project({ extraConfig: { channels } });
  project.writeAlert('admin-logons', {
    index,
    condition: { type: 'any' },
    group_by: 'winlog.event_data.TargetUserName',
    throttle: '1m',
    resolve_after: 1,
    notify: Object.keys(channels),
    title: 'Admin logon: {{key}}',
    message: '{{count}} logons to {{key}} from {{source.ip}}',
    samples: 0,
    ...alert,
  });
  const logon = (at: number, user: string, extra: Record<string, unknown> = {}) => indexDocs(world.esUrl, index, [{ ...logonEvent(at, user), ...extra }]);
  return { project, logon };
}

/** Runs `alertcron run` at a time and expects exit 0. */
export async function runAt(project: Pick<Project, 'run'>, at: number): Promise<CliResult> {
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
  assert.equal(result.code, 0, result.stderr);
  return result;
}
