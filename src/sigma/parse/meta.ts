// A Sigma document's descriptive keys (title, id, level, author, tags ...) read into SigmaMeta, with the checks pySigma makes.
import type { SigmaMeta } from '../types.js';
import { SigmaRuleError } from './ruleError.js';

/** The levels Sigma defines, lowest first. */
export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
/** The statuses Sigma defines. */
export const SIGMA_STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;

/** Reads the metadata of a rule or correlation document; throws SigmaRuleError naming the key and the fix. */
export function readMeta(doc: Record<string, unknown>): SigmaMeta {
  const title = doc.title;
  if (typeof title !== 'string' || !title.trim()) throw new SigmaRuleError('a Sigma rule needs a `title:` (a non-empty string)', title === undefined ? [] : ['title']);
  const meta: SigmaMeta = { title, tags: list(doc, 'tags'), falsepositives: list(doc, 'falsepositives'), references: list(doc, 'references') };
  for (const key of ['id', 'name', 'description', 'author'] as const) {
    const value = text(doc, key);
    if (value !== undefined) meta[key] = value;
  }
  for (const key of ['date', 'modified'] as const) {
    const value = date(doc, key);
    if (value !== undefined) meta[key] = value;
  }
  const status = text(doc, 'status');
  if (status !== undefined) {
    if (!(SIGMA_STATUSES as readonly string[]).includes(status)) throw new SigmaRuleError(`status '${status}' is not a Sigma status: use one of ${SIGMA_STATUSES.join(', ')}`, ['status']);
    meta.status = status;
  }
  const level = text(doc, 'level');
  if (level !== undefined) {
    if (!(SIGMA_LEVELS as readonly string[]).includes(level)) throw new SigmaRuleError(`level '${level}' is not a Sigma level: use one of ${SIGMA_LEVELS.join(', ')}`, ['level']);
    meta.level = level as SigmaMeta['level'];
  }
  return meta;
}

function text(doc: Record<string, unknown>, key: string): string | undefined {
  const value = doc[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new SigmaRuleError(`\`${key}:\` must be a string`, [key]);
}

function date(doc: Record<string, unknown>, key: string): string | undefined {
  const value = doc[key];
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const written = text(doc, key);
  if (written === undefined) return undefined;
  if (!/^\d{4}[-/]\d{2}[-/]\d{2}$/.test(written)) throw new SigmaRuleError(`\`${key}: ${written}\` is not a date: write it as YYYY-MM-DD`, [key]);
  return written.replace(/\//g, '-');
}

function list(doc: Record<string, unknown>, key: string): string[] {
  const value = doc[key];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new SigmaRuleError(`\`${key}:\` must be a list of strings`, Array.isArray(value) ? [key, i] : [key]);
  });
}
