import { resolve } from 'node:path';
import { displayPath } from '../config/loadAlerts.js';
import type { Problem } from '../config/problems.js';
import type { AlertDef, Config } from '../config/types.js';
import type { ElasticsearchConfig, SearchAlertDef } from '../sources/elasticsearch/types.js';
import { parseYamlFile } from '../config/yamlDocument.js';
import { ClusterClient, ClusterUnreachable } from '../inspect/clusterClient.js';
import { fieldCaps, type FieldCaps } from '../inspect/fieldCaps.js';
import { fieldsToCheck, mappingIssues, type AlertIssue } from '../inspect/mappingIssues.js';
import { queryIssues } from '../inspect/queryIssues.js';
import { clockFromEnv } from '../util/clock.js';
import { mapLimit } from '../util/mapLimit.js';
import { readInputFile } from '../util/readInputFile.js';

/** What `validate --cluster` found: problems located in the alert files, and the cluster's own failure if any. */
export interface ClusterCheck {
  problems: Problem[];
  url?: string;
  checked: number;
  /** Why the cluster could not be used at all (then the exit code is 3, as for a run). */
  error?: string;
}

/**
 * Checks every enabled Elasticsearch alert against the cluster without touching any state: its index pattern
 * matches something, its timestamp_field and group_by are mapped (group_by aggregatable), its query and search parse.
 * `onAlert` hears how many alerts were checked, of how many.
 */
export async function checkAgainstCluster(config: Config, alerts: AlertDef[], onAlert?: (done: number, total: number) => void): Promise<ClusterCheck> {
  const searched = alerts.filter((a): a is SearchAlertDef => a.source === 'elasticsearch');
  const section = config.sources.elasticsearch as ElasticsearchConfig | undefined;
  if (!section) return { problems: [], checked: 0 };
  const client = new ClusterClient(section);
  const now = clockFromEnv()();
  const window = { from: now - 60_000, to: now };
  try {
    const capsOf = new Map<string, FieldCaps>();
    for (const index of new Set(searched.map((a) => a.index))) {
      const fields = searched.filter((a) => a.index === index).flatMap(fieldsToCheck);
      capsOf.set(index, await fieldCaps(client, index, fields));
    }
    const check = async (alert: SearchAlertDef): Promise<AlertIssue[]> => {
      const found = mappingIssues(alert, capsOf.get(alert.index)!);
      if (found.some((i) => i.path === 'index')) return found;
      const queryFile = alert.query_file ? displayPath(config, alert.query_file) : undefined;
      const searchable = !found.some((i) => i.path === 'group_by' || i.path === 'condition');
      return [...found, ...(await queryIssues(client, alert, window, queryFile, searchable))];
    };
    let done = 0;
    const issues = await mapLimit(searched, 4, async (alert) => {
      const found = await check(alert);
      onAlert?.(++done, searched.length);
      return found;
    });
    const problems: Problem[] = [];
    for (const [i, alert] of searched.entries()) if (issues[i]!.length) problems.push(...(await locate(config, alert, issues[i]!)));
    return { problems, url: section.url, checked: searched.length };
  } catch (error) {
    if (!(error instanceof ClusterUnreachable)) throw error;
    return { problems: [], url: section.url, checked: 0, error: error.message };
  } finally {
    client.close();
  }
}

/** Turns issues into problems at their line in the alert file; a setting inherited from defaults says so. */
async function locate(config: Config, alert: SearchAlertDef, issues: AlertIssue[]): Promise<Problem[]> {
  const read = readInputFile(resolve(config.dir, alert.file));
  const yaml = await parseYamlFile(alert.file, 'text' in read ? read.text : '');
  const own = (yaml.value ?? {}) as Record<string, unknown>;
  return issues.map((issue) => {
    const where = issue.key ? [issue.path, issue.key] : [issue.path];
    const { line, col } = yaml.locate(where);
    const inherited = issue.path === 'timestamp_field' && own.timestamp_field === undefined ? ' (inherited from defaults in alertcron.yaml)' : '';
    return { file: alert.file, line, col, path: `/${where.join('/')}`, message: issue.message + inherited };
  });
}
