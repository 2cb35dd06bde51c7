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
  /** The span `hits` covers when it is not the run's window (`test`'s hit summary): ISO times. */
  span?: { from: string; to: string };
  /** With a span: the hits before condition and grouping in the run's window itself. */
  windowHits?: number;
  hits?: HitSummary;
  warnings: string[];
  /** Why the explanation could not be made (the cluster failed). */
  error?: string;
}

/**
 * Explains each alert's search over its window with two read-only requests (field capabilities, a size-0 search);
 * given a `span`, the summary counts exactly that span (not widened by the rule type), and one more size-0 search counts the hits in the window itself.
 */
export async function explainHits(config: Config, alerts: { alert: AlertDef; window: Window; span?: Window }[]): Promise<HitExplanation[]> {
  const searched = alerts.filter((a): a is { alert: SearchAlertDef; window: Window; span?: Window } => a.alert.source === 'elasticsearch');
  const section = config.sources.elasticsearch as ElasticsearchConfig | undefined;
  if (!section || !searched.length) return [];
  const client = new ClusterClient(section);
  try {
    return await mapLimit(searched, 4, async ({ alert, window, span }): Promise<HitExplanation> => {
      const spanned = span ? { span: { from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() } } : {};
      try {
        const caps = await fieldCaps(client, alert.index, fieldsToCheck(alert));
        const warnings = mappingIssues(alert, caps).map((issue) => issue.message);
        if (caps.error || caps.indices?.length === 0) return { alert: alert.name, ...spanned, ...(span ? { windowHits: 0 } : {}), hits: { total: 0, perIndex: [] }, warnings };
        const groupable = !!alert.group_by && alert.group_by.every((field) => caps.fields[field]?.every((t) => t.aggregatable));
        const hits = span ? await hitSummary(client, alert, span, groupable, true) : await hitSummary(client, alert, window, groupable);
        if ('error' in hits) return { alert: alert.name, warnings, error: `the search for the explanation failed: ${hits.error}` };
        let windowHits: number | undefined;
        if (span) {
          const inWindow = await hitSummary(client, alert, window, false);
          if ('error' in inWindow) return { alert: alert.name, warnings, error: `the search for the explanation failed: ${inWindow.error}` };
          windowHits = inWindow.total;
        }
        if (groupable && hits.total > 0 && hits.withoutKey === hits.total) warnings.push(`no hit has a value in group_by "${alert.group_by!.join('", "')}": every hit is outside any key`);
        return { alert: alert.name, ...spanned, ...(windowHits !== undefined ? { windowHits } : {}), hits, warnings };
      } catch (error) {
        if (error instanceof ClusterUnreachable) return { alert: alert.name, warnings: [], error: error.message };
        return { alert: alert.name, warnings: [], error: errorMessage(error) };
      }
    });
  } finally {
    client.close();
  }
}

/**
 * The lines that tell a person what an explanation says: hits (per index), keys, and warnings; with a span, the
 * hits in the run's window first, then the summary over the span, indented below its heading.
 */
export function explanationLines(explanation: HitExplanation, alert: SearchAlertDef): string[] {
  const lines: string[] = [];
  const hits = explanation.hits;
  if (hits) {
    const summary: string[] = [];
    const perIndex = hits.perIndex.map((i) => `${i.index}: ${i.hits}`).join(', ');
    summary.push(`hits before condition and grouping: ${hits.total}${perIndex ? ` (${perIndex})` : ''}`);
    const keys = hits.total ? keysLine(hits, alert) : undefined;
    if (keys) summary.push(keys);
    if (hits.withoutKey && hits.withoutKey < hits.total) summary.push(`${hits.withoutKey} hit(s) have no ${alert.group_by!.join(' or no ')}: they belong to no key`);
    const span = explanation.span;
    if (span) {
      lines.push(`hits in the run's search before condition and grouping: ${explanation.windowHits ?? 0}`);
      lines.push(`hit summary over [${span.from} .. ${span.to}) (--from/--to; only counted, not evaluated):`);
      lines.push(...summary.map((line) => `  ${line}`));
    } else lines.push(...summary);
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
