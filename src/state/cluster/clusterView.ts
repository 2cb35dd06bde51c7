import { leaseNames, type HostRecord, type LeaseRecord } from '../../model/partition.js';
import { isPlainObject } from '../../util/plainMap.js';
import { StateClient, type ClusterConnection } from './client.js';
import { readHosts } from './hosts.js';

/** What the cluster says about the hosts sharing it: their heartbeats, the leases as stored, and what was left out and why. */
export interface ClusterView {
  hosts: HostRecord[];
  leases: LeaseRecord[];
  skipped: string[];
}

/**
 * Reads the heartbeats (after a refresh) and every lease document `part:<name>` (one _mget) of a state index, for
 * `status` and `host leave`. A document not of the shape is left out and named in `skipped`.
 */
export async function readClusterView(connection: ClusterConnection, index: string): Promise<ClusterView> {
  const client = new StateClient(connection);
  try {
    const skipped: string[] = [];
    const refreshed = await client.send('POST', `/${index}/_refresh`);
    if (refreshed.status === 404) return { hosts: [], leases: [], skipped };
    const hosts = await readHosts(client, index, (id, why) => skipped.push(`${id}: ${why}`));
    const answer = await client.send('POST', `/${index}/_mget`, { ids: leaseNames().map((name) => `part:${name}`) });
    const leases: LeaseRecord[] = [];
    for (const doc of Array.isArray(answer.body?.docs) ? answer.body.docs : []) {
      if (!isPlainObject(doc) || doc.found !== true || typeof doc._id !== 'string') continue;
      const lease = leaseRecordOf(doc._id.slice('part:'.length), doc._source);
      if (typeof lease === 'string') skipped.push(`${doc._id}: ${lease}`);
      else leases.push(lease);
    }
    return { hosts, leases, skipped };
  } finally {
    client.close();
  }
}

/** The lease a stored `part:` document holds (its top-level fields), or why it is not one. */
export function leaseRecordOf(name: string, source: unknown): LeaseRecord | string {
  if (!isPlainObject(source)) return 'it is not a JSON object';
  const { holder, token, until, released, updated_at: updatedAt } = source;
  if (typeof holder !== 'string') return 'it has no holder';
  if (typeof token !== 'number' || typeof until !== 'number' || !Number.isFinite(until)) return 'its token or until is not a number';
  return { name, holder, token, until, released: released === true, updatedAt: typeof updatedAt === 'number' ? updatedAt : until };
}
