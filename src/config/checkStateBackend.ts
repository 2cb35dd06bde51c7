import { formatDuration } from '../util/duration.js';
import type { Problem } from './problems.js';
import type { Config } from './types.js';
import type { YamlFile } from './yamlDocument.js';

/**
 * Checks what the cluster backend needs: the `elasticsearch:` section it keeps the state in, and a lease that
 * outlasts a run plus the clock skew allowed between hosts (a shorter one would let a second host take over a run still going).
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
  return problems;
}
