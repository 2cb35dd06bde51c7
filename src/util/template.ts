import { getField } from './fieldPath.js';

/** The placeholders of a template: `{{ path }}`, where a path is letters, digits, `_`, `@`, `.` and `-`. */
const PLACEHOLDER = /\{\{\s*([\w@.\-]+)\s*\}\}/g;

/** Finds the value of a placeholder's path. */
export type TemplateLookup = (path: string) => unknown;

/** Renders `{{path}}` placeholders from a context object or a lookup; missing values render as an empty string. */
export function renderTemplate(template: string, context: Record<string, unknown> | TemplateLookup): string {
  const lookup = typeof context === 'function' ? context : (path: string) => getField(context, path);
  return template.replace(PLACEHOLDER, (_, path: string) => stringify(lookup(path)));
}

/** The paths a template names, each once, in order. */
export function templatePaths(template: string): string[] {
  const paths: string[] = [];
  if (!template.includes('{{')) return paths;
  // One pass of the shared /g pattern from the start (exec leaves its position at 0 again once it finds no more).
  PLACEHOLDER.lastIndex = 0;
  for (let m = PLACEHOLDER.exec(template); m; m = PLACEHOLDER.exec(template)) if (!paths.includes(m[1]!)) paths.push(m[1]!);
  return paths;
}

/** Turns a template value into text: scalars as-is, arrays joined, objects as compact JSON, functions as nothing. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'function' || typeof value === 'symbol') return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  return JSON.stringify(value) ?? '';
}

/** The template choice a finding's fields select: the value of the field `chooseBy` as text (a TheHive feedback's `choose_by`). */
export function templateChoice(fields: Record<string, unknown>, chooseBy: string): string {
  return stringify(getField(fields, chooseBy));
}
