import type { LoadedAlerts } from '../config/loadAlerts.js';
import type { Config } from '../config/types.js';
import type { Window } from '../model/window.js';
import type { AlertReport } from '../run/report.js';
import type { SearchAlertDef } from '../sources/elasticsearch/types.js';
import { explainHits, explanationLines, type HitExplanation } from './explainHits.js';

/** Explanations of some alerts of a run report, and the lines to print below each alert, by alert name. */
export interface ExplainedAlerts {
  explanations: HitExplanation[];
  notes: Map<string, string[]>;
}

/**
 * Explains the given alerts of a run report over the windows they searched (for test, and run --verbose); given a
 * `span` (test's hit summary), their hits are summed up over it, besides the count in each window.
 */
export async function explainAlerts(config: Config, loaded: LoadedAlerts, alerts: AlertReport[], span?: Window): Promise<ExplainedAlerts> {
  const byName = new Map(loaded.alerts.map((a) => [a.name, a]));
  const wanted = alerts.flatMap((entry) => {
    const alert = byName.get(entry.name);
    return alert && entry.window ? [{ alert, window: { from: Date.parse(entry.window.from), to: Date.parse(entry.window.to) }, ...(span ? { span } : {}) }] : [];
  });
  const explanations = await explainHits(config, wanted);
  const notes = new Map(explanations.map((e) => [e.alert, explanationLines(e, byName.get(e.alert) as SearchAlertDef)]));
  return { explanations, notes };
}
