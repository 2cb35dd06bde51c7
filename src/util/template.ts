import { getField } from './fieldPath.js';

/** Renders `{{path}}` placeholders from a context object; missing values render as an empty string. */
export function renderTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w@.\-]+)\s*\}\}/g, (_, path: string) => stringify(getField(context, path)));
}

/** Turns a template value into text: scalars as-is, arrays joined, objects as compact JSON. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  return JSON.stringify(value);
}
