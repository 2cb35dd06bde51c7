import type { AlertDef, ConditionDef } from '../config/types.js';
import type { SearchResponse } from '../sources/elasticsearch.js';
import type { Window } from '../run/buildSearch.js';
import { UNGROUPED_KEY, type Finding } from './finding.js';
import { sampleSources, totalHits } from './hits.js';
import { ScriptError, scriptSandbox } from './scriptSandbox.js';

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
 * condition's time limit, so a script that hangs, loops or exits fails only its own alert.
 */
export async function evaluateScript(alert: AlertDef, condition: ScriptCondition, response: SearchResponse, window: Window): Promise<Finding[]> {
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
  let result: unknown;
  try {
    result = await scriptSandbox().call(condition.modulePath, context, condition.timeout);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    const where = error.line ? `:${error.line}${error.col ? `:${error.col}` : ''}` : '';
    throw new Error(`${condition.module}${where}: ${error.message}`);
  }
  return normalize(result, hits, total, condition.module);
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
