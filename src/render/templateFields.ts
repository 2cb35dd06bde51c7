import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { templateChoice, templatePaths, type TemplateLookup } from '../util/template.js';
import { messageTemplate } from './render.js';
import { findingLookup, ownValues } from './templateScope.js';

/** Most field names shown as a hint in one warning. */
const HINT_FIELDS = 12;

/** A template path that none of the findings has: where it is written (title, message ...) and the path. */
export interface MissingPath {
  where: string;
  path: string;
  /** How many findings it was looked for in: all of them, or those that select the feedback template. */
  of: number;
  /** Set for a feedback template: it was looked for only in the findings that select it. */
  selected?: true;
}

/** An alert's feedback templates as the template checks read them: the field that chooses one, and each choice's. */
type WithFeedback = AlertBase & { feedback?: { choose_by: string; templates: Record<string, { title: string; message: string }> } };

/**
 * The template paths (title, message, feedback templates) that none of the findings has, which render as an empty
 * string; none when there are no findings. A feedback template is checked only against the findings that select
 * it (by `choose_by`), and not at all when none does.
 */
export function missingTemplatePaths(alert: WithFeedback, findings: Finding[], window: Window): MissingPath[] {
  if (!findings.length) return [];
  // A finding's lookup is made when a path is first looked for in it: most paths are found in the first finding.
  const made: (TemplateLookup | undefined)[] = [];
  const lookup = (i: number) => (made[i] ??= findingLookup(ownValues(alert, findings[i]!, window), findings[i]!.fields));
  const all = findings.map((_, i) => i);
  const templates: [string, string, number[], boolean][] = [['title', alert.title, all, false], ['message', messageTemplate(alert, findings[0]!), all, false]];
  const feedback = alert.feedback;
  for (const [choice, t] of Object.entries(feedback?.templates ?? {})) {
    const chosen = all.filter((i) => templateChoice(findings[i]!.fields, feedback!.choose_by) === choice);
    if (chosen.length) templates.push([`feedback template ${choice} title`, t.title, chosen, true], [`feedback template ${choice} message`, t.message, chosen, true]);
  }
  const missing: MissingPath[] = [];
  for (const [where, template, among, selected] of templates) {
    for (const path of templatePaths(template)) if (!among.some((i) => lookup(i)(path) !== undefined)) missing.push({ where, path, of: among.length, ...(selected ? { selected: true as const } : {}) });
  }
  return missing;
}

/**
 * For `alertcron test`: one warning per template path that none of the findings has (a misspelt field, or one
 * the events lack), which would render as an empty string. Nothing is said when there are no findings.
 */
export function unresolvedTemplatePaths(alert: WithFeedback, findings: Finding[], window: Window): string[] {
  const missing = missingTemplatePaths(alert, findings, window);
  if (!missing.length) return [];
  const names = Object.keys(findings[0]!.fields);
  const hint = names.length ? `the first finding has ${names.slice(0, HINT_FIELDS).join(', ')}${names.length > HINT_FIELDS ? ' ...' : ''}` : 'the findings have no fields';
  return missing.map(({ where, path, of, selected }) => `alert ${alert.name}: ${where} names {{${path}}}, but none of the ${of} finding(s)${selected ? ' that select it' : ''} has it, so it renders empty (${hint})`);
}
