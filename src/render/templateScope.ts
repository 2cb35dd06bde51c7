import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { getField } from '../util/fieldPath.js';
import type { TemplateLookup } from '../util/template.js';
import { topCountsByField, topCountsText } from './topCountsText.js';

/** The names of alertcron's own template values; `{{alertcron.<name>}}` always means one of these. */
export const OWN_NAMES = ['alert', 'description', 'key', 'count', 'from', 'to', 'match_message', 'top_counts'] as const;

/** The namespace of alertcron's own values. */
export const OWN_NAMESPACE = 'alertcron';

/** The namespace of the finding's fields (the newest event, the bucket, the TheHive alert). */
export const FIELDS_NAMESPACE = 'fields';

/** alertcron's own values for one finding of an alert. */
export function ownValues(alert: Pick<AlertBase, 'name' | 'description' | 'sigma'>, finding: Finding, window: Window): Record<(typeof OWN_NAMES)[number] | typeof TOP_BY_FIELD | typeof SIGMA_VALUES, unknown> {
  // The span the count covers: the run's window, or the timeframe the rule type counted over.
  const span = isoSpan(finding.counted ?? window);
  const tops = finding.top_counts;
  return {
    alert: alert.name,
    description: alert.description,
    key: finding.key,
    count: finding.count,
    from: span.from,
    to: span.to,
    match_message: finding.message ?? '',
    // top_count_keys: every field's top values as lines, and each field's for {{top_counts.<field>}}.
    top_counts: tops ? topCountsText(tops) : '',
    [TOP_BY_FIELD]: tops ? topCountsByField(tops) : NO_TOPS,
    [SIGMA_VALUES]: alert.sigma,
  };
}

/** The top values by field of a finding without top_count_keys (read only, never changed). */
const NO_TOPS: Readonly<Record<string, string>> = Object.freeze({});

/** The span isoSpan formatted last: the findings of a run mostly share their window (one pair of dates, not two per finding). */
let lastSpan: { from: number; to: number; iso: { readonly from: string; readonly to: string } } = { from: NaN, to: NaN, iso: { from: '', to: '' } };

/** A span's ends as ISO strings (shared, read only). */
function isoSpan(span: Window): { readonly from: string; readonly to: string } {
  if (span.from !== lastSpan.from || span.to !== lastSpan.to) lastSpan = { from: span.from, to: span.to, iso: { from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() } };
  return lastSpan.iso;
}

/** Where ownValues keeps a Sigma alert's rule metadata, for `{{sigma.<name>}}` (not a template name itself). */
const SIGMA_VALUES = ' sigma';

/** The namespace of a Sigma alert's rule metadata (`{{sigma.title}}`, `{{sigma.author}}` ...). */
export const SIGMA_NAMESPACE = 'sigma';

/** Where ownValues keeps each field's top values, for `{{top_counts.<field>}}` (not a template name itself). */
const TOP_BY_FIELD = ' top_counts_by_field';

/**
 * Resolves template paths for one finding. `{{alertcron.X}}` is alertcron's own value X, `{{fields.X}}` the
 * finding's field X (or, if it has none, its field `fields.X`, as Filebeat writes custom fields). A bare name is
 * alertcron's own value when it is one of OWN_NAMES, otherwise the finding's field: so `{{key}}` is the key and
 * `{{fields.key}}` an event field named key.
 */
export function findingLookup(own: Record<string, unknown>, fields: Record<string, unknown>): TemplateLookup {
  return (path) => {
    if (path === FIELDS_NAMESPACE) return fields;
    const dot = path.indexOf('.');
    const head = dot < 0 ? path : path.slice(0, dot);
    const rest = path.slice(dot + 1);
    if (dot > 0 && head === OWN_NAMESPACE) return isOwnName(rest) ? own[rest] : undefined;
    if (dot > 0 && head === FIELDS_NAMESPACE) return getField(fields, rest) ?? getField(fields, path);
    if (dot > 0 && head === 'top_counts') {
      const byField = own[TOP_BY_FIELD] as Record<string, string> | undefined;
      if (byField && Object.hasOwn(byField, rest)) return byField[rest];
    }
    if (dot > 0 && head === SIGMA_NAMESPACE) {
      const sigma = own[SIGMA_VALUES] as Record<string, string> | undefined;
      if (sigma) return Object.hasOwn(sigma, rest) ? sigma[rest] : undefined;
    }
    if (isOwnName(path)) return own[path];
    return getField(fields, path);
  };
}

/** True for the names of alertcron's own values. */
export function isOwnName(name: string): boolean {
  return (OWN_NAMES as readonly string[]).includes(name);
}
