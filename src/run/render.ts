import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import { renderTemplate } from '../util/template.js';
import type { Window } from '../model/window.js';

/** The message used when an alert has no `message:` and its condition gave none. */
export const DEFAULT_MESSAGE = '{{count}} matching events for {{key}} between {{from}} and {{to}}';

/** Most characters of one sample document shown in a notification. */
const SAMPLE_CHARS = 500;

/** Renders an alert's title and message for one finding; the text is raw, each channel escapes it for itself. */
export function renderFinding(alert: Pick<AlertBase, 'name' | 'description' | 'title' | 'message' | 'samples'>, finding: Finding, window: Window): { title: string; message: string } {
  const context: Record<string, unknown> = {
    ...finding.fields,
    fields: finding.fields,
    alert: alert.name,
    description: alert.description,
    key: finding.key,
    count: finding.count,
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    match_message: finding.message ?? '',
  };
  const template = alert.message ?? (finding.message !== undefined ? '{{match_message}}' : DEFAULT_MESSAGE);
  const samples = finding.samples.slice(0, alert.samples).map((sample) => {
    const text = JSON.stringify(sample);
    return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
  });
  const message = renderTemplate(template, context) + (samples.length ? `\n\nSample events:\n${samples.join('\n')}` : '');
  return { title: renderTemplate(alert.title, context), message };
}
