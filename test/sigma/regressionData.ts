// SigmaHQ's regression data as kept in test/fixtures/sigma/regression (a copy of SigmaHQ/sigma at 8eaafff1): each
// rule with a `regression_tests_path:`, its info.yml tests and their JSON event samples.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/project.js';

/** The fixture folder (rules and regression_data/ as laid out in the SigmaHQ repository) and our pipeline file for it. */
export const REGRESSION_DIR = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'regression');
export const REGRESSION_PIPELINE = join(REGRESSION_DIR, 'evtx_json.yml');

/** One rule with regression data: its file, id, title, the samples of its tests and the least number of matches expected. */
export interface RegressionCase {
  /** The rule file, relative to REGRESSION_DIR. */
  file: string;
  id: string;
  title: string;
  samples: Record<string, unknown>[];
  /** The sum of the tests' match_count; undefined when no test gives one (then any match passes). */
  matchCount?: number;
  /** Why the rule has no usable samples (e.g. its test is commented out), if so. */
  noSamples?: string;
}

/**
 * Splits a sample file into its JSON objects: pretty-printed objects written back to back (the snapshot's layout),
 * a single object, one object per line, or an array of objects.
 */
export function parseSamples(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Record<string, unknown>[];
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    } else if (depth === 0 && c !== undefined && !/\s/.test(c)) {
      throw new Error(`unexpected ${JSON.stringify(c)} at offset ${i} between JSON objects`);
    }
  }
  if (depth !== 0) throw new Error('the last JSON object is not closed');
  return out;
}

function ruleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? ruleFiles(join(dir, e.name)) : e.name.endsWith('.yml') ? [join(dir, e.name)] : []));
}

interface TestEntry {
  type?: string;
  path?: string;
  match_count?: number;
}

/** Every rule of the fixture folder that points at regression data, with its samples (info.yml `regression_tests_info` or `test_cases`). */
export function regressionCases(): RegressionCase[] {
  const roots = readdirSync(REGRESSION_DIR).filter((d) => d.startsWith('rules'));
  const cases: RegressionCase[] = [];
  for (const path of roots.flatMap((r) => ruleFiles(join(REGRESSION_DIR, r))).sort()) {
    const rule = parse(readFileSync(path, 'utf8')) as { id: string; title: string; regression_tests_path?: string };
    if (!rule.regression_tests_path) continue;
    const info = parse(readFileSync(join(REGRESSION_DIR, rule.regression_tests_path), 'utf8')) as { regression_tests_info?: TestEntry[]; test_cases?: TestEntry[] };
    const tests = info.regression_tests_info ?? info.test_cases ?? [];
    const c: RegressionCase = { file: relative(REGRESSION_DIR, path), id: rule.id, title: rule.title, samples: [] };
    for (const t of tests) {
      // An evtx test's events are kept as the JSON file beside it (same name); json/ndjson tests name it directly.
      const json = t.path?.replace(/\.evtx$/, '.json');
      if (!json || !existsSync(join(REGRESSION_DIR, json))) continue;
      c.samples.push(...parseSamples(readFileSync(join(REGRESSION_DIR, json), 'utf8')));
      if (t.match_count !== undefined) c.matchCount = (c.matchCount ?? 0) + t.match_count;
    }
    if (!c.samples.length) c.noSamples = tests.length ? 'its tests name no JSON sample' : 'its info.yml lists no test';
    cases.push(c);
  }
  return cases;
}
