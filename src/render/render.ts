import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { redact } from '../util/redact.js';
import { renderTemplate, templatePaths } from '../util/template.js';
import { findingLookup, OWN_NAMESPACE, ownValues } from './templateScope.js';
import { cutText } from '../util/text.js';
import { spokenDuration } from '../util/duration.js';
import { topCountsText } from './topCountsText.js';

/** The message used when an alert has no `message:` and its condition gave none. */
export const DEFAULT_MESSAGE = '{{count}} matching events for {{key}} between {{from}} and {{to}}';

/** Most characters of one sample document shown in a notification. */
const SAMPLE_CHARS = 500;

/** The parts of an alert that rendering reads. */
export type RenderedAlert = Pick<AlertBase, 'name' | 'description' | 'title' | 'message' | 'samples' | 'sigma'>;

/**
 * The default summary of a finding: its count paired with the span the count covers, the run's window or the
 * timeframe its rule type counted over ("40 matching events for A in the last 15 minutes (until ...)").
 */
export function defaultMessage(finding: Finding, window?: Window): string {
  const counted = finding.counted;
  if (!counted) return DEFAULT_MESSAGE;
  const length = spokenDuration(counted.to - counted.from);
  return window && counted.to === window.to ? `{{count}} matching events for {{key}} in the last ${length} (until {{to}})` : `{{count}} matching events for {{key}} in the ${length} until {{to}}`;
}

/** The message template an alert uses for a finding: its own, the condition's message, or the default summary. */
export function messageTemplate(alert: RenderedAlert, finding: Finding, window?: Window): string {
  return alert.message ?? (finding.message !== undefined ? '{{match_message}}' : defaultMessage(finding, window));
}

/** Renders an alert's title and message for one finding, secrets redacted; the text is raw, each channel escapes it for itself. */
export function renderFinding(alert: RenderedAlert, finding: Finding, window: Window): { title: string; message: string } {
  const lookup = findingLookup(ownValues(alert, finding, window), finding.fields);
  const samples = finding.samples.slice(0, alert.samples).map((sample) => {
    const text = JSON.stringify(sample);
    return cutText(text, SAMPLE_CHARS + 1);
  });
  const template = messageTemplate(alert, finding, window);
  // top_count_keys' lists follow the message (as in ElastAlert2), unless the template places {{top_counts}} itself.
  const tops = finding.top_counts?.length && !placesTopCounts(template) ? topCountsText(finding.top_counts) : '';
  const message = renderTemplate(template, lookup) + (tops ? `\n\nTop counts:\n${tops}` : '') + (samples.length ? `\n\nSample events:\n${samples.join('\n')}` : '');
  // Events can carry a credential alertcron sends (a cluster's own audit log, say): it never goes out in a notice.
  return { title: redact(renderTemplate(alert.title, lookup)), message: redact(message) };
}

/** Whether a template places {{top_counts}} (or one field's {{top_counts.<field>}}) itself, also as {{alertcron.top_counts}}. */
function placesTopCounts(template: string): boolean {
  const own = `${OWN_NAMESPACE}.top_counts`;
  return template.includes('top_counts') && templatePaths(template).some((path) => path === 'top_counts' || path === own || path.startsWith('top_counts.'));
}

/** Renders any template of an alert (an ask question, a link) for one finding, with the same names as its title; secrets redacted. */
export function renderForFinding(template: string, alert: Pick<AlertBase, 'name' | 'description' | 'sigma'>, finding: Finding, window: Window): string {
  return redact(renderTemplate(template, findingLookup(ownValues(alert, finding, window), finding.fields)));
}
