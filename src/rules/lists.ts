import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { countFindings, groupsLeftOut } from './count.js';
import { eventsObserved } from './observed.js';
import { countingSearch, withFilter } from './search.js';
import type { ConditionDef, RuleProblem, RuleType } from './types.js';

/** How many values one terms query may hold (the cluster's index.max_terms_count default). */
export const MAX_LIST_VALUES = 65_536;
/** The prefix of a list entry that stands for the lines of a file (ElastAlert2's form). */
const FILE_ENTRY = /^!file\s+(.+)$/;

type Entry = string | number;

/** The lines of a list file: trimmed, without empty lines and # comments. */
function fileValues(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The list with each `!file path` entry replaced by that file's lines (relative to the alert file), without duplicates. */
export function expandList(entries: readonly Entry[], alertFile: string): Entry[] {
  const values: Entry[] = [];
  for (const entry of entries) {
    const file = typeof entry === 'string' ? FILE_ENTRY.exec(entry)?.[1] : undefined;
    if (file) values.push(...fileValues(resolve(dirname(alertFile), file.trim())));
    else values.push(entry);
  }
  return [...new Set(values)];
}

/** The files a list's `!file` entries name (absolute). */
function listFiles(entries: unknown, alertFile: string): string[] {
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry) => {
    const file = typeof entry === 'string' ? FILE_ENTRY.exec(entry)?.[1]?.trim() : undefined;
    return file ? [resolve(dirname(alertFile), file)] : [];
  });
}

/** Problems of a list: `!file` entries that cannot be read, an empty list, more values than one terms query takes. */
function checkList(name: string, entries: unknown, alertFile: string): RuleProblem[] {
  if (!Array.isArray(entries)) return [];
  const problems: RuleProblem[] = [];
  entries.forEach((entry, i) => {
    const file = typeof entry === 'string' ? FILE_ENTRY.exec(entry)?.[1]?.trim() : undefined;
    if (!file) return;
    const path = resolve(dirname(alertFile), file);
    try {
      if (!statSync(path).isFile()) problems.push({ path: ['condition', name, i], message: `${file} is not a file (a path relative to the alert file, one value per line)` });
    } catch {
      problems.push({ path: ['condition', name, i], message: `no such file: ${file} (a path relative to the alert file, one value per line)` });
    }
  });
  if (problems.length) return problems;
  const values = expandList(entries as Entry[], alertFile);
  if (!values.length && entries.length) problems.push({ path: ['condition', name], message: 'holds no value once its files are read: add values, or lines to the file' });
  if (values.length > MAX_LIST_VALUES) {
    problems.push({ path: ['condition', name], message: `holds ${values.length} values: one terms query takes at most ${MAX_LIST_VALUES} (split the alert, or match on a shorter field)` });
  }
  return problems;
}

type ListCondition<T extends 'blacklist' | 'whitelist'> = Extract<ConditionDef, { type: T }>;

/** `blacklist`: events whose compare_key is one of the values (exact match, in the query: the cluster filters). */
export const blacklistRule: RuleType<ListCondition<'blacklist'>> = {
  type: 'blacklist',
  topCounts: true,
  complete: (raw, alertFile) => ({ type: 'blacklist', compare_key: String(raw.compare_key), values: expandList(raw.blacklist as Entry[], alertFile), ignore_null: true, files: listFiles(raw.blacklist, alertFile) }),
  inputFiles: (condition) => condition.files ?? [],
  fields: (condition) => [{ key: 'compare_key', field: condition.compare_key }],
  check: (raw, _alert, alertFile) => checkList('blacklist', raw.blacklist, alertFile),
  search: (base, alert, condition) => countingSearch(withFilter(base, { terms: { [condition.compare_key]: condition.values } }), alert),
  evaluate: ({ alert, response }) => ({ findings: countFindings(alert, response, { gte: 1 }), incomplete: groupsLeftOut(alert, response), observed: eventsObserved(alert, response) }),
};

/** `whitelist`: events whose compare_key is none of the values (with ignore_null: false, also events without it). */
export const whitelistRule: RuleType<ListCondition<'whitelist'>> = {
  type: 'whitelist',
  topCounts: true,
  complete: (raw, alertFile) => ({ type: 'whitelist', compare_key: String(raw.compare_key), values: expandList(raw.whitelist as Entry[], alertFile), ignore_null: raw.ignore_null === true, files: listFiles(raw.whitelist, alertFile) }),
  inputFiles: (condition) => condition.files ?? [],
  fields: (condition) => [{ key: 'compare_key', field: condition.compare_key }],
  check: (raw, _alert, alertFile) => checkList('whitelist', raw.whitelist, alertFile),
  search(base, alert, condition) {
    const notListed = { bool: { must_not: [{ terms: { [condition.compare_key]: condition.values } }], ...(condition.ignore_null ? { filter: [{ exists: { field: condition.compare_key } }] } : {}) } };
    return countingSearch(withFilter(base, notListed), alert);
  },
  evaluate: ({ alert, response }) => ({ findings: countFindings(alert, response, { gte: 1 }), incomplete: groupsLeftOut(alert, response), observed: eventsObserved(alert, response) }),
};
