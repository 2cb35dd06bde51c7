import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { SearchResponse } from '../model/search.js';
import type { Window } from '../model/window.js';
import { UNGROUPED_KEY, type Finding } from '../model/finding.js';
import { parseDuration } from '../util/duration.js';
import { sampleSources, totalHits } from './hits.js';
import { countingSearch, newestFirst } from './search.js';
import type { ConditionDef, RuleAlert, RuleType } from './types.js';

/** How long a script may take to load and answer when its alert does not say (condition.timeout). */
export const SCRIPT_TIMEOUT_MS = 5000;

type ScriptCondition = Extract<ConditionDef, { type: 'script' }>;

/** What a match function receives. */
export interface MatchContext {
  response: SearchResponse;
  hits: Record<string, unknown>[];
  total: number;
  alert: { name: string; index: string };
  window: { from: string; to: string };
  options: Record<string, unknown>;
}

/**
 * Script condition: the module's `match` (or default) export gets the response and returns findings,
 * `[matched, message]` as in the classic scripts, or a boolean. It runs in the script sandbox under the
 * condition's time limit, so a script that hangs, loops or exits fails only its own alert; what the script's
 * own code throws (on import or in match) is reported at its path and line.
 */
export async function evaluateScript(alert: RuleAlert, condition: ScriptCondition, response: SearchResponse, window: Window): Promise<Finding[]> {
  const hits = sampleSources(response.hits?.hits);
  const total = totalHits(response);
  const context: MatchContext = {
    response,
    hits,
    total,
    alert: { name: alert.name, index: alert.index },
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    options: condition.options,
  };
  // The sandbox (worker_threads) and its error formatting are loaded only by a run with a script alert due.
  const [{ scriptSandbox }, { formatScriptFailure, ScriptError }] = await Promise.all([import('./scriptSandbox.js'), import('./scriptError.js')]);
  let result: unknown;
  try {
    result = await scriptSandbox().call(condition.modulePath, context, condition.timeout);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    throw new Error(formatScriptFailure(error.failure, condition.modulePath, configDir(alert.file, condition.modulePath, condition.module)));
  }
  return normalize(result, hits, total, condition.module);
}

/** The configuration folder, from which paths are shown: the script's path less its path as seen from there. */
function configDir(alertFile: string, modulePath: string, module: string): string {
  const shown = join(dirname(alertFile), module);
  return !isAbsolute(shown) && modulePath.endsWith(sep + shown) ? modulePath.slice(0, -shown.length - 1) : dirname(modulePath);
}

function normalize(result: unknown, hits: Record<string, unknown>[], total: number, module: string): Finding[] {
  if (result === false || result === null || result === undefined) return [];
  if (result === true) return [{ key: UNGROUPED_KEY, count: total, fields: hits[0] ?? {}, samples: hits }];
  if (Array.isArray(result) && result.length === 2 && typeof result[0] === 'boolean') {
    if (!result[0]) return [];
    return [{ key: UNGROUPED_KEY, count: total, fields: hits[0] ?? {}, samples: hits, message: String(result[1] ?? '') }];
  }
  if (Array.isArray(result)) {
    return result.map((item, i) => {
      if (!item || typeof item !== 'object') throw new Error(`${module}: match() returned a list whose item ${i} is not an object`);
      const f = item as Partial<Finding>;
      if (f.samples !== undefined && !Array.isArray(f.samples)) throw new Error(`${module}: match() returned item ${i} whose samples is not a list`);
      if (f.fields !== undefined && (typeof f.fields !== 'object' || f.fields === null || Array.isArray(f.fields))) {
        throw new Error(`${module}: match() returned item ${i} whose fields is not an object`);
      }
      return {
        key: f.key === undefined ? UNGROUPED_KEY : String(f.key),
        count: typeof f.count === 'number' ? f.count : 1,
        fields: f.fields ?? {},
        samples: f.samples ?? [],
        message: f.message === undefined ? undefined : String(f.message),
      };
    });
  }
  throw new Error(`${module}: match() must return findings, [matched, message] or a boolean`);
}

/**
 * A script reads the hits themselves: it gets as many as its query's `size` asks for, in its query's `sort`
 * (without them, `samples` hits, newest first, as a counting rule fetches).
 */
function scriptSearch(base: Record<string, unknown>, alert: RuleAlert): Record<string, unknown> {
  const body = countingSearch(base, alert);
  const { size, sort } = alert.query;
  if (!alert.group_by) return { ...body, ...(typeof size === 'number' ? { size } : {}), ...(sort !== undefined ? { sort } : {}) };
  if (typeof size !== 'number' || size <= 0) return body;
  return { ...body, size, sort: sort ?? newestFirst(alert) };
}

/** `script`: a JavaScript module next to the alert whose match() turns the response into findings. */
export const scriptRule: RuleType<ScriptCondition> = {
  type: 'script',
  complete: (raw, alertFile) => ({
    type: 'script',
    module: String(raw.module),
    modulePath: resolve(dirname(alertFile), String(raw.module)),
    options: (raw.options as Record<string, unknown>) ?? {},
    timeout: typeof raw.timeout === 'string' ? parseDuration(raw.timeout) : SCRIPT_TIMEOUT_MS,
  }),
  inputFiles: (condition) => [condition.modulePath],
  check(raw, _alert, alertFile) {
    if (typeof raw.module !== 'string' || existsSync(resolve(dirname(alertFile), raw.module))) return [];
    return [{ path: ['condition', 'module'], message: `no such file: ${raw.module} (relative to the alert file)` }];
  },
  search: scriptSearch,
  evaluate: async ({ alert, condition, response, window }) => ({ findings: await evaluateScript(alert, condition, response, window), observed: { total: totalHits(response) } }),
};
