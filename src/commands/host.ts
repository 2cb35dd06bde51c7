import { leaseNames, COORDINATOR } from '../model/partition.js';
import { StateClient, ClusterUnreachable, type ClusterConnection } from '../state/cluster/client.js';
import { readHeartbeat, releaseLeasesOf, writeHeartbeat } from '../state/cluster/hosts.js';
import { instanceId } from '../state/cluster/localFile.js';
import { acquireLock } from '../state/fileLock.js';
import { StoreUnavailableError } from '../state/store.js';
import { leaseNow } from '../util/clock.js';
import { ExitCode, UserError } from '../util/errors.js';
import { openProject } from './project.js';
import { leasesInWords } from './statusHosts.js';

/**
 * `alertcron host leave`: this host stops sharing the alerts of a cluster state at once. Waits for this host's run in
 * progress (its local lock), marks its heartbeat `leaving` (the other hosts no longer count it live) and releases
 * every lease it still holds, so that the others take its share at their next run instead of after host_ttl.
 */
export async function hostLeaveCommand(options: { config: string }): Promise<number> {
  const { config } = await openProject(options.config, { offline: true });
  const state = config.state;
  if (state.backend !== 'cluster') {
    throw new UserError(`alertcron host leave is for hosts sharing a cluster state, and ${config.file} has state.backend: file (one host, nothing to hand over): just remove its cron line`, ExitCode.usage);
  }
  const release = await acquireLock(state.local_file, state.lock_wait, () => undefined);
  const client = new StateClient(config.sources.elasticsearch as ClusterConnection);
  try {
    const now = leaseNow();
    const heartbeat = await readHeartbeat(client, state.index, state.host_id);
    if (heartbeat) await writeHeartbeat(client, state.index, { ...heartbeat, lastSeen: now, leaving: true });
    const { released, lost } = await releaseLeasesOf(client, state.index, `${state.host_id}@${instanceId(state.local_file)}`, leaseNames(), now);
    const lines = [
      heartbeat
        ? `${state.host_id} is leaving the hosts sharing ${state.index}: the others no longer count it live and take its share at their next run.`
        : `${state.host_id} has no heartbeat in ${state.index} (it never ran there): the other hosts do not count it.`,
      released.length ? `released ${nameWords(released)}: nobody holds them until another host's next run takes them.` : 'it held no lease.',
    ];
    if (lost.length) lines.push(`${nameWords(lost)} had been taken by another host meanwhile: left as they are.`);
    lines.push(`Remove this host's cron line (crontab -e) if you have not: its next run clears "leaving" and takes a share again.`);
    console.log(lines.join('\n'));
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof ClusterUnreachable) throw new StoreUnavailableError(`${error.message}: run alertcron host leave again once it answers`);
    throw error;
  } finally {
    client.close();
    await release().catch(() => undefined);
  }
}

/** Lease names in words: "partitions 0-3, 9 (5) and the coordinator's lease". */
function nameWords(names: readonly string[]): string {
  return leasesInWords(names.filter((n) => n !== COORDINATOR).map(Number), names.includes(COORDINATOR));
}
