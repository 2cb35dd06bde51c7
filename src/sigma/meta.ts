import { templatePaths } from '../util/template.js';
import type { SigmaMeta } from './types.js';

/** The names `{{sigma.<name>}}` offers in a Sigma alert's templates. */
export const SIGMA_TEMPLATE_NAMES = ['title', 'id', 'level', 'status', 'author', 'description', 'tags', 'attack', 'falsepositives', 'references', 'date'] as const;

/** A rule's metadata as template text: lists comma-separated, `attack` the ATT&CK technique ids of its tags (T1033, T1059.001). */
export function sigmaTemplateValues(meta: SigmaMeta): Record<(typeof SIGMA_TEMPLATE_NAMES)[number], string> {
  return {
    title: meta.title,
    id: meta.id ?? meta.name ?? '',
    level: meta.level ?? '',
    status: meta.status ?? '',
    author: meta.author ?? '',
    description: meta.description ?? '',
    tags: meta.tags.join(', '),
    attack: attackTechniques(meta.tags).join(', '),
    falsepositives: meta.falsepositives.join(', '),
    references: meta.references.join(', '),
    date: meta.date ?? '',
  };
}

/** The ATT&CK technique ids among Sigma tags (`attack.t1059.001` -> `T1059.001`), each once, in order. */
export function attackTechniques(tags: readonly string[]): string[] {
  const ids = tags.map((tag) => /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag)?.[1]?.toUpperCase()).filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

/** The title of a Sigma alert without its own: the rule's title and level, and the key when the alert groups by one. */
export function sigmaTitle(grouped: boolean): string {
  return grouped ? '{{sigma.title}} ({{sigma.level}}): {{key}}' : '{{sigma.title}} ({{sigma.level}})';
}

/** The attribution line DRL 1.1 asks of every notice made from a Sigma rule (a rule without author: its title instead). */
function authorLine(meta: SigmaMeta): string {
  return meta.author ? 'Sigma rule by {{sigma.author}} (DRL 1.1)' : 'Sigma rule "{{sigma.title}}", author not named (DRL 1.1)';
}

/** The attribution line as text, from a Sigma alert's template values: what a digest or a resolved notice adds. */
export function sigmaAttribution(values: Readonly<Record<string, string>>): string {
  return values.author ? `Sigma rule by ${values.author} (DRL 1.1)` : `Sigma rule "${values.title ?? ''}", author not named (DRL 1.1)`;
}

/** Finds the attribution line in a rendered message, so that a channel that cuts its text (SMS, a call) keeps it. */
export const SIGMA_ATTRIBUTION = /^Sigma rule (?:by .*|".*", author not named) \(DRL 1\.1\)$/m;

/**
 * The message of a Sigma alert: the user's (with the author line added when it does not name {{sigma.author}}), or
 * the default one: what matched, the author line, then the lines the rule has values for (description, ATT&CK, false
 * positives, references).
 */
export function sigmaMessage(message: string | undefined, meta: SigmaMeta): string {
  if (message !== undefined) return templatePaths(message).includes('sigma.author') ? message : `${message}\n\n${authorLine(meta)}`;
  const values = sigmaTemplateValues(meta);
  const lines = [
    'Sigma rule "{{sigma.title}}" (level {{sigma.level}}) matched {{count}} events for {{key}} between {{from}} and {{to}}.',
    // Early, so that a channel that cuts the end of a long message still names the author.
    authorLine(meta),
    values.description && '{{sigma.description}}',
    values.attack && 'ATT&CK: {{sigma.attack}}',
    values.falsepositives && 'False positives: {{sigma.falsepositives}}',
    values.references && 'References: {{sigma.references}}',
  ];
  return lines.filter(Boolean).join('\n');
}

/** A notice's message with the DRL 1.1 attribution line of a Sigma alert added (digests, resolved notices); other alerts' as it is. */
export function withAttribution(message: string, sigma: Readonly<Record<string, string>> | undefined): string {
  return sigma ? `${message}\n\n${sigmaAttribution(sigma)}` : message;
}
