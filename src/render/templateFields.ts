import type { AlertBase } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { Window } from '../model/window.js';
import { templatePaths } from '../util/template.js';
import { messageTemplate } from './render.js';
import { findingLookup, ownValues } from './templateScope.js';

/** Most field names shown as a hint in one warning. */
const HINT_FIELDS = 12;

/** A template path that none of the findings has: where it is written (title, message ...) and the path. */
export interface MissingPath {
  where: string;
  path: string;
}

/**
 * The template paths (title, message, feedback templates) that none of the findings has, which render as an empty
 * string; none when there are no findings.
 */
export function missingTemplatePaths(alert: AlertBase & { feedback?: { templates: Record<string, { title: string; message: string }> } }, findings: Finding[], window: Window): MissingPath[] {
  if (!findings.length) return [];
  const lookups = findings.map((f) => findingLookup(ownValues(alert, f, window), f.fields));
  const templates: [string, string][] = [['title', alert.title], ['message', messageTemplate(alert, findings[0]!)]];
  for (const [choice, t] of Object.entries(alert.feedback?.templates ?? {})) templates.push([`feedback template ${choice} title`, t.title], [`feedback template ${choice} message`, t.message]);
  const missing: MissingPath[] = [];
  for (const [where, template] of templates) {
    for (const path of templatePaths(template)) if (!lookups.some((lookup) => lookup(path) !== undefined)) missing.push({ where, path });
  }
  return missing;
}

/**
 * For `alertcron test`: one warning per template path that none of the findings has (a misspelt field, or one
 * the events lack), which would render as an empty string. Nothing is said when there are no findings.
 */
export function unresolvedTemplatePaths(alert: AlertBase & { feedback?: { templates: Record<string, { title: string; message: string }> } }, findings: Finding[], window: Window): string[] {
  const missing = missingTemplatePaths(alert, findings, window);
  if (!missing.length) return [];
  const names = Object.keys(findings[0]!.fields);
  const hint = names.length ? `the first finding has ${names.slice(0, HINT_FIELDS).join(', ')}${names.length > HINT_FIELDS ? ' ...' : ''}` : 'the findings have no fields';
  return missing.map(({ where, path }) => `alert ${alert.name}: ${where} names {{${path}}}, but none of the ${findings.length} finding(s) has it, so it renders empty (${hint})`);
}
