import type { AlertDef, Config } from '../config/types.js';
import type { Window } from '../model/window.js';
import type { ElasticsearchConfig, SearchAlertDef } from '../sources/elasticsearch/types.js';
import { ClusterClient, ClusterUnreachable } from '../inspect/clusterClient.js';
import { fieldCaps } from '../inspect/fieldCaps.js';
import { hitSummary, type HitSummary } from '../inspect/hitSummary.js';
import { fieldsToCheck, mappingIssues } from '../inspect/mappingIssues.js';
import { errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/mapLimit.js';

/** Why an alert found what it found: its hits before condition and grouping, and what may make it find nothing. */
export interface HitExplanation {
  alert: string;
  hits?: HitSummary;
  warnings: string[];
  /** Why the explanation could not be made (the cluster failed). */
  error?: string;
}

/** Explains each alert's search over its window with two read-only requests (field capabilities, a size-0 search). */
export async function explainHits(config: Config, alerts: { alert: AlertDef; window: Window }[]): Promise<HitExplanation[]> {
  const searched = alerts.filter((a): a is { alert: SearchAlertDef; window: Window } => a.alert.source === 'elasticsearch');
  const section = config.sources.elasticsearch as ElasticsearchConfig | undefined;
  if (!section || !searched.length) return [];
  const client = new ClusterClient(section);
  try {
    return await mapLimit(searched, 4, async ({ alert, window }): Promise<HitExplanation> => {
      try {
        const caps = await fieldCaps(client, alert.index, fieldsToCheck(alert));
        const warnings = mappingIssues(alert, caps).map((issue) => issue.message);
        if (caps.error || caps.indices?.length === 0) return { alert: alert.name, hits: { total: 0, perIndex: [] }, warnings };
        const groupable = !!alert.group_by && alert.group_by.every((field) => caps.fields[field]?.every((t) => t.aggregatable));
        const hits = await hitSummary(client, alert, window, groupable);
        if ('error' in hits) return { alert: alert.name, warnings, error: `the search for the explanation failed: ${hits.error}` };
        if (groupable && hits.total > 0 && hits.withoutKey === hits.total) warnings.push(`no hit has a value in group_by "${alert.group_by!.join('", "')}": every hit is outside any key`);
        return { alert: alert.name, hits, warnings };
      } catch (error) {
        if (error instanceof ClusterUnreachable) return { alert: alert.name, warnings: [], error: error.message };
        return { alert: alert.name, warnings: [], error: errorMessage(error) };
      }
    });
  } finally {
    client.close();
  }
}

/** The lines that tell a person what an explanation says: hits (per index), keys, and warnings. */
export function explanationLines(explanation: HitExplanation, alert: SearchAlertDef): string[] {
  const lines: string[] = [];
  const hits = explanation.hits;
  if (hits) {
    const perIndex = hits.perIndex.map((i) => `${i.index}: ${i.hits}`).join(', ');
    lines.push(`hits before condition and grouping: ${hits.total}${perIndex ? ` (${perIndex})` : ''}`);
    const keys = hits.total ? keysLine(hits, alert) : undefined;
    if (keys) lines.push(keys);
    if (hits.withoutKey && hits.withoutKey < hits.total) lines.push(`${hits.withoutKey} hit(s) have no ${alert.group_by!.join(' or no ')}: they belong to no key`);
  }
  for (const warning of explanation.warnings) lines.push(`warning: ${warning}`);
  if (explanation.error) lines.push(`(cannot explain the hits: ${explanation.error})`);
  return lines;
}

function keysLine(hits: HitSummary, alert: SearchAlertDef): string | undefined {
  if (alert.group_by) return hits.keys === undefined ? undefined : `keys: ${hits.keys} distinct value(s) of ${alert.group_by.join(', ')}`;
  if (alert.condition.type === 'buckets') return hits.keys === undefined ? undefined : `keys: ${hits.keys} bucket(s) at ${alert.condition.path}`;
  return alert.condition.type === 'script' ? undefined : 'keys: 1 (no group_by: all hits are one key)';
}
