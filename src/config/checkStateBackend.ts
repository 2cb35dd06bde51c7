import { formatDuration } from '../util/duration.js';
import type { Problem } from './problems.js';
import type { Config } from './types.js';
import type { YamlFile } from './yamlDocument.js';

/**
 * Checks what the cluster backend needs: the `elasticsearch:` section it keeps the state in, a run lease that
 * outlasts a run plus the clock skew allowed between hosts (a shorter one would let a second host take over a run
 * still going), partition leases long enough to renew and to outlast the skew, and a host_ttl that outlasts a run, its lease and the skew.
 */
export function checkStateBackend(yaml: YamlFile, config: Config): Problem[] {
  if (config.state.backend !== 'cluster') return [];
  const problems: Problem[] = [];
  const at = (key: string) => ({ file: yaml.file, ...yaml.locate(['state', key]), path: `/state/${key}` });
  if (!config.sources.elasticsearch) {
    problems.push({ ...at('backend'), message: 'state.backend: cluster keeps the state in the elasticsearch: cluster, and this file has no elasticsearch: section: add one, or use backend: file' });
  }
  const least = config.run.deadline + config.state.max_clock_skew;
  if (config.state.lease_ttl < least) {
    problems.push({ ...at('lease_ttl'), message: `state.lease_ttl ${formatDuration(config.state.lease_ttl)} is shorter than run.deadline plus state.max_clock_skew (${formatDuration(least)}): set it to ${formatDuration(least)} or more` });
  }
  if (config.state.partition_lease < MIN_PARTITION_LEASE_MS) {
    problems.push({ ...at('partition_lease'), message: `state.partition_lease ${formatDuration(config.state.partition_lease)} is shorter than ${formatDuration(MIN_PARTITION_LEASE_MS)} (a run renews its leases every third of it): set it to ${formatDuration(MIN_PARTITION_LEASE_MS)} or more (default 30s)` });
  }
  const leastLease = MIN_LEASE_PER_SKEW * config.state.max_clock_skew;
  if (config.state.partition_lease < leastLease) {
    problems.push({
      ...at('partition_lease'),
      message: `state.partition_lease ${formatDuration(config.state.partition_lease)} is shorter than twice state.max_clock_skew (${formatDuration(leastLease)}): a run renews its leases every third of partition_lease and writes a partition only while more than max_clock_skew of its lease is left, so every run would lose its leases and exit 5; set partition_lease to ${formatDuration(leastLease)} or more, or leave it out (its default is 30s or three times max_clock_skew, whichever is longer)`,
    });
  }
  const live = config.run.deadline + config.state.partition_lease + config.state.max_clock_skew;
  if (config.state.host_ttl < live) {
    problems.push({
      ...at('host_ttl'),
      message: `state.host_ttl ${formatDuration(config.state.host_ttl)} is shorter than run.deadline plus state.partition_lease plus state.max_clock_skew (${formatDuration(live)}): another host would count this one gone and take its partitions while its run may still hold them; set host_ttl to ${formatDuration(live)} or more, or leave it out (its default follows these settings)`,
    });
  }
  return problems;
}

/**
 * The shortest partition lease validate accepts, in units of max_clock_skew: renewed every third of it, a lease has
 * two thirds left just before a renewal, and a run writes only while more than the skew is left; twice the skew
 * keeps a third of the skew's margin for a renewal that comes late or slow.
 */
export const MIN_LEASE_PER_SKEW = 2;

/** The unset partition_lease is at least this many times max_clock_skew (with two thirds left, twice the skew). */
export const PARTITION_LEASE_PER_SKEW = 3;

/** The shortest partition lease validate accepts: renewed every third of it, a shorter one leaves too little time to renew. */
const MIN_PARTITION_LEASE_MS = 3_000;
